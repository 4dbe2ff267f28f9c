import { randomInteger, randomValues, relativeError, seededRandom } from '@fdistill/testing';
import { onBothBackends } from '@fdistill/testing/backend';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { installWasmKernels } from '../install-wasm-kernels.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A random shape of rank 1-5 and a random broadcast partner (some axes 1, some dropped). */
function randomBroadcastPair(seed: number) {
  const random = seededRandom(seed).uniform;
  const rank = randomInteger(random, 1, 5);
  const shape = Array.from({ length: rank }, () => randomInteger(random, 1, 7));
  let partner = shape.map((extent) => (random() < 0.5 ? 1 : extent));
  partner = partner.slice(randomInteger(random, 0, rank - 1));
  const [aShape, bShape] = random() < 0.5 ? [shape, partner] : [partner, shape];
  return {
    aShape,
    bShape,
    a: randomValues(random, size(aShape)),
    // Keep divisors away from 0.
    b: randomValues(random, size(bShape)).map((value) => (value < 0 ? value - 0.5 : value + 0.5)),
  };
}

describe('wasm element-wise kernels against the cpu backend', () => {
  it('Add, Sub, Multiply, RealDiv agree on random broadcasts, values and gradients', async () => {
    const operations = [tf.add, tf.sub, tf.mul, tf.div] as const;
    for (let seed = 1; seed <= 40; seed++) {
      const c = randomBroadcastPair(seed);
      const { cpu, wasm } = await onBothBackends(() => {
        const a = tf.tensor(c.a, c.aShape);
        const b = tf.tensor(c.b, c.bShape);
        return operations.flatMap((operation) => [
          operation(a, b),
          ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(operation(x, y))))([a, b]),
        ]);
      });
      cpu.forEach((reference, index) => {
        const label = `output ${index}: a [${c.aShape}] b [${c.bShape}]`;
        expect(relativeError(reference, wasm[index] as Float32Array), label).toBeLessThan(1e-5);
      });
    }
  });

  it('agree on large broadcasts, every row kind (the SIMD path at any run length)', async () => {
    const pairs: [number[], number[]][] = [
      [[8, 64, 130], [130]],
      [
        [300, 1],
        [300, 250],
      ],
      [
        [4, 70, 16, 16],
        [4, 1, 16, 1],
      ],
      [
        [250, 301],
        [250, 1],
      ],
    ];
    for (const [aShape, bShape] of pairs) {
      const random = seededRandom(aShape.length * 7 + bShape.length).uniform;
      const a = randomValues(random, size(aShape));
      const b = randomValues(random, size(bShape)).map((value) => value + 2);
      const { cpu, wasm } = await onBothBackends(() => {
        const left = tf.tensor(a, aShape);
        const right = tf.tensor(b, bShape);
        return [tf.add(left, right), tf.sub(left, right), tf.mul(left, right), tf.div(left, right)];
      });
      cpu.forEach((reference, index) => {
        const label = `op ${index}: a [${aShape}] b [${bShape}]`;
        expect(relativeError(reference, wasm[index] as Float32Array), label).toBeLessThan(1e-6);
      });
    }
  });

  it('throw, as tfjs does, for shapes that do not broadcast or concatenate', async () => {
    // tfjs-core's shared op tests (add, sub, div, concat3d) caught these going through unchecked.
    const backend = tf.getBackend();
    await tf.setBackend('wasm');
    expect(installWasmKernels()).toBe(true);
    const a = tf.tensor1d([2, 5, 1, 5]);
    const b = tf.tensor1d([4, 2, -1]);
    for (const operation of [tf.add, tf.sub, tf.mul, tf.div]) {
      expect(() => operation(a, b)).toThrow();
      expect(() => operation(b, a)).toThrow();
    }
    const x1 = tf.tensor3d([1, 11, 2, 22], [1, 2, 2]);
    const x2 = tf.zeros([2, 2, 3]) as tf.Tensor3D;
    expect(() => tf.concat3d([x1, x2], 2)).toThrow();
    tf.dispose([a, b, x1, x2]);
    await tf.setBackend(backend);
  });

  it('Sum and Mean agree on random axes, with and without keepDims', async () => {
    for (let seed = 101; seed <= 140; seed++) {
      const random = seededRandom(seed).uniform;
      const rank = randomInteger(random, 1, 5);
      const shape = Array.from({ length: rank }, () => randomInteger(random, 1, 13));
      const axes = shape.map((_, axis) => axis).filter(() => random() < 0.5);
      const keepDims = random() < 0.5;
      const values = randomValues(random, size(shape));
      const { cpu, wasm } = await onBothBackends(() => {
        const x = tf.tensor(values, shape);
        return [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)];
      });
      cpu.forEach((reference, index) => {
        const label = `x [${shape}] axes [${axes}] keepDims ${keepDims}`;
        expect(relativeError(reference, wasm[index] as Float32Array), label).toBeLessThan(1e-5);
      });
    }
  });

  it('Concat, Slice and SplitV agree on random shapes and axes', async () => {
    for (let seed = 201; seed <= 240; seed++) {
      const random = seededRandom(seed).uniform;
      const rank = randomInteger(random, 1, 5);
      const shape = Array.from({ length: rank }, () => randomInteger(random, 1, 6));
      const axis = randomInteger(random, 0, rank - 1);
      const other = [...shape];
      other[axis] = randomInteger(random, 1, 70); // long runs use the native copy
      const first = randomValues(random, size(shape));
      const second = randomValues(random, size(other));
      const begin = shape.map((extent) => randomInteger(random, 0, extent - 1));
      const extent = shape.map((full, index) =>
        randomInteger(random, 1, full - (begin[index] as number)),
      );
      const { cpu, wasm } = await onBothBackends(() => {
        const a = tf.tensor(first, shape);
        const b = tf.tensor(second, other);
        const joined = tf.concat([a, b], axis);
        return [
          joined,
          tf.slice(a, begin, extent),
          ...tf.split(joined, [shape[axis] as number, other[axis] as number], axis),
        ];
      });
      cpu.forEach((reference, index) => {
        const label = `output ${index}: [${shape}] + [${other}] axis ${axis}, slice ${begin} / ${extent}`;
        expect(relativeError(reference, wasm[index] as Float32Array), label).toBeLessThan(1e-7);
      });
    }
  });

  it('Identity shares data yet each tensor lives on its own', async () => {
    await onBothBackends(() => tf.scalar(0)); // installs the kernels
    await tf.setBackend('wasm');
    const buffers = () =>
      (tf.memory() as tf.MemoryInfo & { numDataBuffers: number }).numDataBuffers;
    const before = buffers();
    const x = tf.tensor([1, 2, 3]);
    const copy = tf.clone(x);
    expect(buffers() - before).toBe(1); // one buffer for both tensors
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    copy.dispose();
    expect(buffers()).toBe(before);
  });
});
