import '@tensorflow/tfjs';
import { TINY_CONDITIONAL_UNET, TINY_UNET } from '@fdistill/testing';
import { maxAbsDifference, openSession, toOrtTensor } from '@fdistill/testing/onnx';
import { randomizeParameters, randomLabels } from '@fdistill/testing/score';
import * as tf from '@tensorflow/tfjs-core';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { MlpDenoiser } from '../mlp-denoiser.js';
import { UNetDenoiser } from '../unet/unet-denoiser.js';
import { exportDenoiserToOnnx } from './export-denoiser-to-onnx.js';
import { exportStudentToOnnx } from './export-student-to-onnx.js';

const TOLERANCE = 1e-4;

/** The largest |ONNX - tfjs D(sigmaMax z; sigmaMax)| over batches 1, 3 and 8. */
async function studentParity(
  network: MlpDenoiser | UNetDenoiser,
  sigmaMax: number,
  dataShape: number[],
): Promise<number> {
  const session = await openSession(exportStudentToOnnx(network, { sigmaMax }));
  let largest = 0;
  for (const batch of [1, 3, 8]) {
    const z = tf.randomNormal([batch, ...dataShape], 0, 1, 'float32', batch);
    const labels =
      network.classCount === undefined ? undefined : randomLabels(batch, network.classCount, batch);
    const expected = tf.tidy(() => network.denoise(tf.mul(z, sigmaMax), sigmaMax, labels));
    const feeds: Record<string, ReturnType<typeof toOrtTensor>> = { z: toOrtTensor(z) };
    if (labels !== undefined) feeds.labels = toOrtTensor(labels);
    const { samples } = await session.run(feeds);
    largest = Math.max(largest, maxAbsDifference(samples as never, expected));
    tf.dispose([z, labels, expected]);
  }
  await session.release();
  return largest;
}

describe('exportStudentToOnnx', () => {
  it('gives the tfjs one-step samples D(80 z; 80) for an MLP and a U-Net', async () => {
    const mlp = new MlpDenoiser({ dimension: 3, width: 32, classCount: 5, seed: 1 });
    randomizeParameters(mlp, 2);
    const unet = new UNetDenoiser(TINY_CONDITIONAL_UNET);
    randomizeParameters(unet, 3);
    // Measured: 5.4e-7 (MLP) and 2.8e-6 (U-Net).
    expect(await studentParity(mlp, 80, [3])).toBeLessThanOrEqual(TOLERANCE);
    expect(await studentParity(unet, 80, [8, 8, 2])).toBeLessThanOrEqual(TOLERANCE);
    mlp.dispose();
    unet.dispose();
  });

  it('folds another fixed sigma (2.5) into unconditional students, sigmaData 1 for the U-Net', async () => {
    const mlp = new MlpDenoiser({ dimension: 2, width: 16, embedding: 'positional', seed: 4 });
    randomizeParameters(mlp, 5);
    const unet = new UNetDenoiser({
      ...TINY_UNET,
      attentionResolutions: [4],
      sigmaData: 1,
    });
    randomizeParameters(unet, 6);
    // Measured: 1.2e-7 (MLP) and 4.5e-6 (U-Net).
    expect(await studentParity(mlp, 2.5, [2])).toBeLessThanOrEqual(TOLERANCE);
    expect(await studentParity(unet, 2.5, [8, 8, 2])).toBeLessThanOrEqual(TOLERANCE);
    mlp.dispose();
    unet.dispose();
  });

  it('checks its arguments, naming them', () => {
    const mlp = new MlpDenoiser({ dimension: 2, width: 8, seed: 1 });
    expect(() => exportStudentToOnnx(mlp, { sigmaMax: 0 })).toThrow(
      /exportStudentToOnnx: options.sigmaMax must be a finite number > 0/,
    );
    expect(() => exportStudentToOnnx({} as never)).toThrow(
      /exportStudentToOnnx: network must be an MlpDenoiser or a UNetDenoiser, got Object/,
    );
    expect(() => exportDenoiserToOnnx(mlp, { metadata: { run: 3 as never } })).toThrow(
      /exportDenoiserToOnnx: options.metadata\["run"\] must be a string, got 3/,
    );
    expect(() => exportDenoiserToOnnx(mlp, null as never)).toThrow(
      /exportDenoiserToOnnx: options must be an object/,
    );
    mlp.dispose();
  });
});

describe('the exported files', () => {
  it('have the documented input and output names, types and shapes (dynamic batch)', async () => {
    const conditional = new UNetDenoiser(TINY_CONDITIONAL_UNET);
    const unconditional = new MlpDenoiser({ dimension: 2, width: 8, seed: 1 });
    const cases = [
      {
        bytes: exportDenoiserToOnnx(conditional),
        inputs: [
          { name: 'x', type: 'float32', shape: ['batch', 8, 8, 2] },
          { name: 'sigma', type: 'float32', shape: ['batch'] },
          { name: 'labels', type: 'int64', shape: ['batch'] },
        ],
        outputs: [{ name: 'denoised', type: 'float32', shape: ['batch', 8, 8, 2] }],
      },
      {
        bytes: exportStudentToOnnx(conditional),
        inputs: [
          { name: 'z', type: 'float32', shape: ['batch', 8, 8, 2] },
          { name: 'labels', type: 'int64', shape: ['batch'] },
        ],
        outputs: [{ name: 'samples', type: 'float32', shape: ['batch', 8, 8, 2] }],
      },
      {
        bytes: exportDenoiserToOnnx(unconditional),
        inputs: [
          { name: 'x', type: 'float32', shape: ['batch', 2] },
          { name: 'sigma', type: 'float32', shape: ['batch'] },
        ],
        outputs: [{ name: 'denoised', type: 'float32', shape: ['batch', 2] }],
      },
      {
        bytes: exportStudentToOnnx(unconditional),
        inputs: [{ name: 'z', type: 'float32', shape: ['batch', 2] }],
        outputs: [{ name: 'samples', type: 'float32', shape: ['batch', 2] }],
      },
    ];
    for (const { bytes, inputs, outputs } of cases) {
      const session = await openSession(bytes);
      const strip = (metadata: readonly object[]) =>
        metadata.map((value) => {
          const { name, type, shape } = value as { name: string; type: string; shape: unknown };
          return { name, type, shape };
        });
      expect(strip(session.inputMetadata)).toEqual(inputs);
      expect(strip(session.outputMetadata)).toEqual(outputs);
      await session.release();
    }
    conditional.dispose();
    unconditional.dispose();
  });

  it('are opset 17 ModelProtos carrying the architecture and config as metadata', () => {
    const unet = new UNetDenoiser(TINY_CONDITIONAL_UNET);
    const bytes = exportStudentToOnnx(unet, { sigmaMax: 80, metadata: { run: 'r1' } });
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    expect(model.opsetImport.map(({ domain, version }) => [domain, Number(version)])).toEqual([
      ['', 17],
    ]);
    expect(Number(model.irVersion)).toBe(8);
    expect(model.producerName).toBe('@fdistill/score');
    const metadata = Object.fromEntries(model.metadataProps.map(({ key, value }) => [key, value]));
    expect(metadata).toEqual({
      run: 'r1',
      'fdistill.architecture': 'UNetDenoiser',
      'fdistill.config': JSON.stringify(unet.config),
      'fdistill.role': 'student',
      'fdistill.sigmaData': '0.5',
      'fdistill.sigmaMax': '80',
    });
    // Every parameter travels as a float32 initializer; nothing else is that large.
    const initialized = (model.graph?.initializer ?? []).reduce(
      (sum, tensor) =>
        sum + (tensor.dims ?? []).reduce((product: number, size) => product * Number(size), 1),
      0,
    );
    expect(initialized).toBeGreaterThanOrEqual(unet.parameterCount());
    expect(initialized).toBeLessThan(unet.parameterCount() + 200);
    unet.dispose();
  });
});
