import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fakeScoreLoss, fDistillLoss } from './distillation-losses.js';

describe('fDistillLoss', () => {
  it('has gradient w (F - T) / numel with w = hbar / (mean |x - T| + 1e-6) (f-distill paper, Xu, Nie, Vahdat 2025, Sec. 3)', () => {
    const generated = tf.tensor2d([
      [0.5, -1, 2],
      [1, 1, -0.5],
    ]);
    const teacher = tf.tensor2d([
      [0, -0.5, 1],
      [2, 0, 0],
    ]);
    const fake = tf.tensor2d([
      [1, 1, 1],
      [0, 0.5, -1],
    ]);
    const weights = tf.tensor1d([0.5, 1.5]);
    const gradient = tf.grad((x: tf.Tensor) => fDistillLoss(x, teacher, fake, weights))(generated);
    const g = generated.arraySync() as number[][];
    const t = teacher.arraySync() as number[][];
    const f = fake.arraySync() as number[][];
    const h = [0.5, 1.5];
    const expected = g.map((row, i) => {
      const normalizer =
        row.reduce((sum, value, j) => sum + Math.abs(value - (t[i]?.[j] as number)), 0) / 3 + 1e-6;
      return row.map(
        (_, j) =>
          (((h[i] as number) / normalizer) * ((f[i]?.[j] as number) - (t[i]?.[j] as number))) / 6,
      );
    });
    const actual = gradient.arraySync() as number[][];
    for (const [i, row] of actual.entries()) {
      for (const [j, value] of row.entries())
        expect(value).toBeCloseTo(expected[i]?.[j] as number, 6);
    }
    // The loss value is 0.5 * mean(grad^2) with grad = w (F - T).
    const loss = fDistillLoss(generated, teacher, fake, weights).dataSync()[0] as number;
    const expectedLoss =
      (0.5 * expected.flat().reduce((sum, value) => sum + (value * 6) ** 2, 0)) / 6;
    expect(loss).toBeCloseTo(expectedLoss, 5);
  });

  it('is zero with zero gradient when teacher and fake agree', () => {
    const x = tf.tensor2d([[1, 2]]);
    const same = tf.tensor2d([[0.5, 0.5]]);
    const gradient = tf.grad((input: tf.Tensor) =>
      fDistillLoss(input, same, same, tf.tensor1d([1])),
    )(x);
    expect(Array.from(gradient.dataSync())).toEqual([0, 0]);
  });
});

describe('fakeScoreLoss', () => {
  it('is the mean squared error and passes no gradient to the generated samples', () => {
    const generated = tf.tensor2d([[1, 2]]);
    const fake = tf.tensor2d([[0, 4]]);
    expect(fakeScoreLoss(fake, generated).dataSync()[0]).toBeCloseTo(2.5, 6);
    const gradient = tf.grad((x: tf.Tensor) => fakeScoreLoss(fake, x))(generated);
    expect(Array.from(gradient.dataSync())).toEqual([0, 0]);
  });

  it('scales each sample by its weight (EDM lambda(sigma)) before the mean', () => {
    const generated = tf.tensor2d([
      [1, 2],
      [0, 0],
    ]);
    const fake = tf.tensor2d([
      [0, 4],
      [3, 0],
    ]);
    // Squared errors per sample: (1 + 4) and (9 + 0); weights 2 and 0.5; mean over 4 elements.
    const weighted = fakeScoreLoss(fake, generated, tf.tensor1d([2, 0.5]));
    expect(weighted.dataSync()[0]).toBeCloseTo((2 * 5 + 0.5 * 9) / 4, 6);
  });
});
