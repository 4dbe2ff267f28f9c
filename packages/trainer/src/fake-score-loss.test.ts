import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fakeScoreLoss } from './fake-score-loss.js';

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
