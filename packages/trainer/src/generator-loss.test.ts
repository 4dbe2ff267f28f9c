import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { distillGeneratorLoss, fDistillLoss } from './generator-loss.js';

describe('fDistillLoss', () => {
  it('has gradient w (F - T) / numel with w = hbar / (mean |x - T| + 1e-6) (SPEC.md §3)', () => {
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

describe('distillGeneratorLoss', () => {
  const softplus = (value: number) => Math.log1p(Math.exp(value));

  it('is fDistillWeight * fDistill + ganWeight * mean(softplus(-logits)), with both terms', () => {
    const generated = tf.tensor2d([
      [0.5, -1],
      [1, 1],
    ]);
    const teacherX0 = tf.tensor2d([
      [0, -0.5],
      [2, 0],
    ]);
    const fakeX0 = tf.tensor2d([
      [1, 1],
      [0, 0.5],
    ]);
    const weights = tf.tensor1d([0.5, 1.5]);
    const logitValues = [0.3, -2];
    const terms = distillGeneratorLoss(
      { generated, teacherX0, fakeX0, weights, logits: tf.tensor1d(logitValues) },
      { fDistillWeight: 2, ganWeight: 0.25 },
    );
    // Direct recomputation: grad_i = h_i / mean|x_i - T_i| (F_i - T_i), L = 0.5 mean(grad^2).
    const g = generated.arraySync() as number[][];
    const t = teacherX0.arraySync() as number[][];
    const f = fakeX0.arraySync() as number[][];
    const h = [0.5, 1.5];
    let squares = 0;
    for (const [i, row] of g.entries()) {
      const normalizer =
        row.reduce((sum, value, j) => sum + Math.abs(value - (t[i]?.[j] as number)), 0) / 2 + 1e-6;
      for (const j of row.keys()) {
        const gradient =
          ((h[i] as number) / normalizer) * ((f[i]?.[j] as number) - (t[i]?.[j] as number));
        squares += gradient ** 2;
      }
    }
    const fDistill = (0.5 * squares) / 4;
    const gan = (softplus(-0.3) + softplus(2)) / 2;
    const [total, fDistillValue, ganValue] = [terms.loss, terms.fDistill, terms.gan].map(
      (value) => value.dataSync()[0] as number,
    );
    for (const value of [total, fDistillValue, ganValue]) expect(Number.isFinite(value)).toBe(true);
    expect(fDistillValue).toBeCloseTo(fDistill, 5);
    expect(ganValue).toBeCloseTo(gan, 6);
    expect(total).toBeCloseTo(2 * fDistill + 0.25 * gan, 5);
  });

  it('sends the GAN gradient -ganWeight sigmoid(-logit) / batch to each logit', () => {
    const same = tf.tensor2d([[0.5, 0.5]]);
    const logits = tf.tensor1d([0.7, -1.2]);
    const gradient = tf.grad(
      (input: tf.Tensor) =>
        distillGeneratorLoss(
          {
            generated: same,
            teacherX0: same,
            fakeX0: same,
            weights: tf.tensor1d([1]),
            logits: input,
          },
          { fDistillWeight: 1, ganWeight: 0.5 },
        ).loss,
    )(logits);
    const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));
    const expected = [0.7, -1.2].map((value) => (-0.5 * sigmoid(-value)) / 2);
    const actual = Array.from(gradient.dataSync());
    expect(actual.every(Number.isFinite)).toBe(true);
    for (const [index, value] of actual.entries()) {
      expect(value).toBeCloseTo(expected[index] as number, 6);
    }
  });
});
