import { randomInteger, randomValues, relativeError, seededRandom } from '@fdistill/testing';
import { onBothBackends } from '@fdistill/testing/backend';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

/** Random operands of `tf.matMul`: batch shapes (possibly broadcast), sizes and transposes. */
function randomProduct(seed: number) {
  const random = seededRandom(seed).uniform;
  const [rows, inner, columns] = [1, 2, 3].map(() => randomInteger(random, 1, 9)) as [
    number,
    number,
    number,
  ];
  const batchKind = randomInteger(random, 0, 3);
  const batch = [randomInteger(random, 2, 4), randomInteger(random, 1, 3)];
  const outer =
    batchKind === 0
      ? [[], []]
      : batchKind === 1
        ? [batch, batch]
        : batchKind === 2
          ? [batch, [1, 1]]
          : [[1], batch.slice(0, 1)];
  const transposeA = random() < 0.5;
  const transposeB = random() < 0.5;
  const aShape = [...(outer[0] as number[]), ...(transposeA ? [inner, rows] : [rows, inner])];
  const bShape = [...(outer[1] as number[]), ...(transposeB ? [columns, inner] : [inner, columns])];
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return {
    aShape,
    bShape,
    broadcast: batchKind >= 2,
    transposeA,
    transposeB,
    a: randomValues(random, size(aShape)),
    b: randomValues(random, size(bShape)),
  };
}

describe('wasm BatchMatMul against the cpu backend', () => {
  it('agrees on random batches, broadcasts and transposes, forward and backward', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const c = randomProduct(seed);
      const { cpu, wasm } = await onBothBackends(() => {
        const a = tf.tensor(c.a, c.aShape);
        const b = tf.tensor(c.b, c.bShape);
        const product = tf.matMul(a, b, c.transposeA, c.transposeB);
        // tfjs's BatchMatMul gradient does not reduce broadcast batches: forward only for those.
        if (c.broadcast) return [product];
        const upstream = tf.randomUniform(product.shape, -1, 1, 'float32', seed);
        const gradients = tf.grads((left: tf.Tensor, right: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(left, right, c.transposeA, c.transposeB), upstream)),
        )([a, b]);
        return [product, ...gradients];
      });
      const label = `a [${c.aShape}] b [${c.bShape}] transposeA ${c.transposeA} transposeB ${c.transposeB}`;
      cpu.forEach((reference, index) => {
        expect(relativeError(reference, wasm[index] as Float32Array), label).toBeLessThan(1e-5);
      });
    }
  });

  it('keeps the product shape of broadcast batches', async () => {
    const { wasm } = await onBothBackends(() => [
      tf.matMul(tf.ones([2, 3, 4, 5]), tf.ones([5, 6])),
      tf.matMul(tf.ones([4, 5]), tf.ones([3, 5, 6])),
    ]);
    expect(wasm[0]?.length).toBe(2 * 3 * 4 * 6);
    expect(wasm[1]?.length).toBe(3 * 4 * 6);
    expect(Array.from(wasm[1] as Float32Array).every((value) => value === 5)).toBe(true);
  });
});
