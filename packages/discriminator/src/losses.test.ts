import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { densityRatio } from './density-ratio.js';
import { discriminatorLoss, generatorLoss } from './losses.js';

const softplus = (x: number) => Math.log1p(Math.exp(x));

describe('GAN losses', () => {
  it('discriminator: mean softplus(fake) + mean softplus(-real)', () => {
    const real = tf.tensor1d([0.5, -1, 2]);
    const fake = tf.tensor1d([-0.3, 1.5]);
    const expected =
      (softplus(-0.3) + softplus(1.5)) / 2 + (softplus(-0.5) + softplus(1) + softplus(-2)) / 3;
    expect(discriminatorLoss(real, fake).dataSync()[0]).toBeCloseTo(expected, 6);
    expect(discriminatorLoss(tf.zeros([2]), tf.zeros([1])).dataSync()[0]).toBeCloseTo(
      2 * Math.LN2,
      6,
    );
    // Its gradient: sigmoid(fake) / n_fake for fakes, -sigmoid(-real) / n_real for reals.
    const gradient = tf
      .grad((logits: tf.Tensor) => discriminatorLoss(real, logits))(fake)
      .dataSync();
    expect(gradient[0]).toBeCloseTo(1 / (1 + Math.exp(0.3)) / 2, 6);
    tf.dispose([real, fake]);
  });

  it('generator: mean softplus(-fake)', () => {
    const fake = tf.tensor1d([-0.3, 1.5]);
    expect(generatorLoss(fake).dataSync()[0]).toBeCloseTo((softplus(0.3) + softplus(-1.5)) / 2, 6);
    fake.dispose();
  });

  it('average the per-head losses of a ConvDiscriminator output', () => {
    const head16 = tf.tensor1d([0.5, -1]);
    const head8 = tf.tensor1d([2, 0]);
    const output = {
      logits: { 'encoder.16': head16, 'encoder.8': head8 },
      meanLogit: tf.tensor1d([1.25, -0.5]),
    };
    const expected = (softplus(-0.5) + softplus(1) + softplus(-2) + softplus(0)) / 4;
    expect(generatorLoss(output).dataSync()[0]).toBeCloseTo(expected, 6);
    expect(discriminatorLoss(output, tf.tensor1d([0])).dataSync()[0]).toBeCloseTo(
      expected + Math.LN2,
      6,
    );
    expect(() => generatorLoss(tf.zeros([0]))).toThrow(
      'generatorLoss(fakeLogits) must not be empty',
    );
    expect(() => generatorLoss({ logits: {} } as never)).toThrow(
      'needs at least one head logit tensor',
    );
    tf.dispose([head16, head8, output.meanLogit]);
  });
});

describe('densityRatio', () => {
  it('is FastGen clamp-exp-clip of the (mean) logit, with no gradient', () => {
    const logits = tf.tensor1d([0, 1, -3, 4, 50]);
    expect(Array.from(densityRatio(logits).dataSync())).toEqual(
      [1, Math.E, 0.1, 20, 20].map((value) => Math.fround(value)),
    );
    const output = { logits: { a: logits }, meanLogit: tf.tensor1d([Math.log(2)]) };
    expect(densityRatio(output).dataSync()[0]).toBeCloseTo(2, 6);
    // d/dx sum(x * r(x)) with r detached is r(x).
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, densityRatio(x))))(
      tf.tensor1d([1]),
    );
    expect(gradient.dataSync()[0]).toBeCloseTo(Math.E, 5);
    expect(() => densityRatio([1] as never)).toThrow(
      'logits must be a tf.Tensor or a DiscriminatorOutput',
    );
    tf.dispose([logits, output.meanLogit, gradient]);
  });
});
