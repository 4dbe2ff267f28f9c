import '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MlpDenoiser } from './mlp-denoiser.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from './safetensors.js';
import { loadModuleFromSafetensors, moduleToSafetensors } from './state-dict-file.js';

const fixturePath = new URL('../fixtures/mlp-fixture.safetensors', import.meta.url);
const fixtureBytes = new Uint8Array(readFileSync(fixturePath));
// Written by fixtures/read-mlp-fixture.py, a numpy reader independent of this package.
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/mlp-fixture.json', import.meta.url), 'utf8'),
) as {
  metadata: Record<string, string>;
  tensors: Record<string, { shape: number[]; sum: number }>;
  inputs: { x: number[][]; sigma: number[]; labels: number[] };
  denoised: number[][];
};

/** Rewrites the JSON header of safetensors bytes (keeping the data section). */
type HeaderEntry = { dtype: string; shape: number[]; data_offsets?: number[] };

function editHeader(
  bytes: Uint8Array,
  edit: (header: Record<string, HeaderEntry>) => void,
): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const result = new Uint8Array(8 + text.length + bytes.length - 8 - length);
  new DataView(result.buffer).setBigUint64(0, BigInt(text.length), true);
  result.set(text, 8);
  result.set(bytes.subarray(8 + length), 8 + text.length);
  return result;
}

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips byte for byte, with every dtype and metadata', () => {
    const tensors = new Map<string, SafetensorsTensor>([
      [
        'b.weight',
        { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, 7]) },
      ],
      ['a.count', { dtype: 'I32', shape: [3], data: new Int32Array([-1, 0, 2 ** 31 - 1]) }],
      ['c.exact', { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) }],
    ]);
    const bytes = encodeSafetensors(tensors, { note: 'hello', config: '{"a":1}' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const decoded = decodeSafetensors(bytes);
    expect(decoded.metadata).toEqual({ note: 'hello', config: '{"a":1}' });
    expect([...decoded.tensors.keys()].sort()).toEqual(['a.count', 'b.weight', 'c.exact']);
    for (const [name, tensor] of tensors) expect(decoded.tensors.get(name)).toEqual(tensor);
    const again = encodeSafetensors(decoded.tensors, decoded.metadata);
    expect(again).toEqual(bytes);
  });

  it('reads Node Buffers that are views into a larger pool (readFileSync, Buffer.concat)', () => {
    const bytes = encodeSafetensors(
      new Map([
        ['w', { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } as SafetensorsTensor],
      ]),
    );
    const pool = Buffer.concat([Buffer.alloc(13, 7), Buffer.from(bytes), Buffer.alloc(40, 9)]);
    const view = pool.subarray(13, 13 + bytes.length);
    expect(view.byteOffset).toBeGreaterThan(0);
    expect(Array.from(decodeSafetensors(view).tensors.get('w')?.data ?? [])).toEqual([1, 2, 3]);
    expect(Array.from(decodeSafetensors(readFileSync(fixturePath)).tensors.keys()).sort()).toEqual(
      Object.keys(fixture.tensors).sort(),
    );
  });

  it('rejects truncated files and malformed headers, naming the tensor', () => {
    const bytes = encodeSafetensors(
      new Map([
        ['w', { dtype: 'F32', shape: [4], data: new Float32Array(4) } as SafetensorsTensor],
      ]),
    );
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(
      'tensor "w" (shape [4], F32) has data offsets [0, 16] that do not fit the file',
    );
    expect(() => decodeSafetensors(bytes.subarray(0, 5))).toThrow('at least 8 bytes');
    // A header length past the end: a cut file, or text whose first 8 bytes read as a length.
    const cut = bytes.subarray(0, 20);
    const length = Number(new DataView(cut.buffer, cut.byteOffset).getBigUint64(0, true));
    expect(() => decodeSafetensors(cut)).toThrow(
      `header length ${length} exceeds the file's 20 bytes (truncated or not a safetensors file)`,
    );
    expect(() => decodeSafetensors(new TextEncoder().encode('plain text, no header'))).toThrow(
      'exceeds the file',
    );
    const notJson = new Uint8Array([
      8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...new TextEncoder().encode('{"w": [1'),
    ]);
    expect(() => decodeSafetensors(notJson)).toThrow('the header is not valid JSON');
    const badShape = editHeader(bytes, (header) => {
      (header.w as HeaderEntry).shape = [5];
    });
    expect(() => decodeSafetensors(badShape)).toThrow('tensor "w" (shape [5], F32)');
    const badType = editHeader(bytes, (header) => {
      (header.w as HeaderEntry).dtype = 'BF16';
    });
    expect(() => decodeSafetensors(badType)).toThrow('tensor "w" has unsupported dtype BF16');
    const noOffsets = editHeader(bytes, (header) => {
      delete (header.w as HeaderEntry).data_offsets;
    });
    expect(() => decodeSafetensors(noOffsets)).toThrow('tensor "w" has a malformed header entry');
    expect(() =>
      encodeSafetensors(new Map([['v', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]])),
    ).toThrow('tensor "v" has shape [3] but 2 elements');
  });
});

describe('module state dicts in safetensors files', () => {
  it('restore an MLP exactly: same outputs, same bytes when saved again', () => {
    const config = { dimension: 2, width: 16, depth: 2, classCount: 3, seed: 1 } as const;
    const original = new MlpDenoiser(config);
    const bytes = original.toSafetensors();
    const restored = MlpDenoiser.fromSafetensors(bytes);
    const fresh = new MlpDenoiser({ ...config, seed: 2 });
    expect(loadModuleFromSafetensors(fresh, moduleToSafetensors(original, { tag: 'x' }))).toEqual({
      tag: 'x',
    });
    const x = tf.randomNormal([6, 2], 0, 1, 'float32', 3);
    const labels = tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32');
    const outputs = [original, restored, fresh].map((network) =>
      Array.from(network.denoise(x, 0.3, labels).dataSync()),
    );
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
    expect(restored.toSafetensors()).toEqual(bytes);
    expect(restored.config).toEqual(original.config);
    tf.dispose([x, labels]);
    for (const network of [original, restored, fresh]) network.dispose();
  });

  it('fail with an error naming a missing or misshapen tensor', () => {
    const network = new MlpDenoiser({ dimension: 2, width: 8, depth: 2, seed: 1 });
    const bytes = network.toSafetensors();
    const missing = editHeader(bytes, (header) => {
      delete header['hiddenLayers.0.bias'];
    });
    expect(() => loadModuleFromSafetensors(network, missing)).toThrow(
      'tensor "hiddenLayers.0.bias" is missing (expected shape [8])',
    );
    const misshapen = editHeader(bytes, (header) => {
      (header['outputLayer.weight'] as HeaderEntry).shape = [2, 8];
    });
    expect(() => loadModuleFromSafetensors(network, misshapen)).toThrow(
      'tensor "outputLayer.weight" has shape [2,8], expected [8,2]',
    );
    const wider = new MlpDenoiser({ dimension: 2, width: 9, depth: 2, seed: 1 });
    expect(() => loadModuleFromSafetensors(wider, bytes)).toThrow(
      'tensor "noiseLayer0.weight" has shape [32,8], expected [32,9]',
    );
    const before = tf.memory().numTensors;
    expect(() => MlpDenoiser.fromSafetensors(misshapen)).toThrow('"outputLayer.weight"');
    expect(tf.memory().numTensors).toBe(before);
    network.dispose();
    wider.dispose();
  });

  it('write the committed fixture byte for byte, which an independent numpy reader reads', () => {
    // The fixture was written by fixtures/write-mlp-fixture.ts; the same config and seed must
    // give the same bytes (deterministic initialization and encoding).
    const config = JSON.parse(fixture.metadata.config as string);
    const network = new MlpDenoiser(config);
    expect(network.toSafetensors()).toEqual(fixtureBytes);
    network.dispose();

    const { tensors, metadata } = decodeSafetensors(fixtureBytes);
    expect(metadata).toEqual(fixture.metadata);
    expect([...tensors.keys()].sort()).toEqual(Object.keys(fixture.tensors).sort());
    for (const [name, { shape, sum }] of Object.entries(fixture.tensors)) {
      const tensor = tensors.get(name) as SafetensorsTensor;
      expect(tensor.shape).toEqual(shape);
      const total = Array.from(tensor.data).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(sum, 10);
    }

    // numpy recomputed D(x; sigma, label) in float64 from the file and the documented
    // architecture; float32 tfjs agrees to ~1e-6 relative to 1 + |value|.
    const loaded = MlpDenoiser.fromSafetensors(fixtureBytes);
    const x = tf.tensor2d(fixture.inputs.x);
    const sigma = tf.tensor1d(fixture.inputs.sigma);
    const labels = tf.tensor1d(fixture.inputs.labels, 'int32');
    const denoised = loaded.denoise(x, sigma, labels).arraySync() as number[][];
    for (const [i, row] of fixture.denoised.entries()) {
      for (const [j, value] of row.entries()) {
        expect(Math.abs((denoised[i]?.[j] as number) - value)).toBeLessThan(
          2e-5 * (1 + Math.abs(value)),
        );
      }
    }
    tf.dispose([x, sigma, labels]);
    loaded.dispose();
  });
});
