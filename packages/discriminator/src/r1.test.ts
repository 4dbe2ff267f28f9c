import '@tensorflow/tfjs';
import { Conv2d, deriveSeed, type Module } from '@fdistill/score';
import { directionalDerivatives } from '@fdistill/testing';
import { smallestTeacher } from '@fdistill/testing/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConvDiscriminator } from './conv-discriminator.js';
import { discriminate } from './discriminate.js';
import { discriminatorGradients } from './discriminator-gradients.js';
import { MlpDiscriminator } from './mlp-discriminator.js';
import { approximateR1Penalty, exactR1Penalty, r1PerturbationNoise } from './r1.js';

/** Logits of a batch whose samples each have their own sigma. */
type LogitsAt = (x: tf.Tensor, sigma: tf.Tensor1D) => tf.Tensor;

/**
 * `gamma / 2 * mean_i ||grad D(x_i)||^2` by central differences with step `step`: every
 * perturbed copy of every sample goes through the network in one batch (samples are independent).
 */
function finiteDifferenceR1(
  logitsAt: LogitsAt,
  x: tf.Tensor,
  sigma: tf.Tensor1D,
  gamma: number,
  step: number,
): number {
  return tf.tidy(() => {
    const batch = x.shape[0] as number;
    const size = x.size / batch;
    const flat = tf.reshape(x, [batch, 1, size]);
    const shifts = tf.mul(tf.eye(size), step); // [size, size]
    const up = tf.reshape(tf.add(flat, shifts), [batch * size, ...x.shape.slice(1)]);
    const down = tf.reshape(tf.sub(flat, shifts), [batch * size, ...x.shape.slice(1)]);
    const repeatedSigma = tf.reshape(
      tf.tile(tf.reshape(sigma, [batch, 1]), [1, size]),
      [-1],
    ) as tf.Tensor1D;
    const gradients = tf.div(
      tf.sub(logitsAt(up, repeatedSigma), logitsAt(down, repeatedSigma)),
      2 * step,
    );
    const squaredNorms = tf.sum(tf.square(tf.reshape(gradients, [batch, size])), 1);
    return (gamma / 2) * (tf.mean(squaredNorms).dataSync()[0] as number);
  });
}

/**
 * The derivative of the exact R1 penalty along a random direction of the discriminator's
 * parameters: by tfjs's double backprop, and by central differences of the penalty itself.
 */
function secondOrderCheck(module: Module, penalty: () => tf.Scalar, step: number) {
  const variables = module.parameters();
  const directions = variables.map((variable, index) =>
    tf.randomNormal(variable.shape, 0, 1, 'float32', 100 + index),
  );
  const { value, grads } = discriminatorGradients(module, penalty);
  // A parameter the penalty does not depend on (the last bias) has no gradient entry.
  const { autodiff, finite } = directionalDerivatives(variables, directions, grads, penalty, step);
  tf.dispose([directions, value, grads]);
  return { autodiff, finite };
}

describe('exactR1Penalty', () => {
  const mlp = () => new MlpDiscriminator({ dimension: 2, width: 16, depth: 2, seed: 3 });

  it('equals gamma/2 E||grad_x D||^2 by finite differences, on an MLP discriminator', () => {
    const discriminator = mlp();
    const x = tf.randomNormal([6, 2], 0, 1.5, 'float32', 1);
    const sigma = tf.tensor1d([0.01, 0.1, 0.5, 1, 3, 10]);
    const logitsAt: LogitsAt = (input, sigmas) => discriminator.forward(input, sigmas);
    const exact = exactR1Penalty((input) => logitsAt(input, sigma), x, 2).dataSync()[0] as number;
    const finite = finiteDifferenceR1(logitsAt, x, sigma, 2, 1e-2);
    // float32 central differences with step 1e-2: a relative error of about 1e-4 is expected.
    expect(Math.abs(exact - finite) / finite).toBeLessThan(2e-3);
    tf.dispose([x, sigma]);
    discriminator.dispose();
  });

  it('has an exact gradient in the MLP parameters (double backprop)', () => {
    const discriminator = mlp();
    const x = tf.randomNormal([6, 2], 0, 1.5, 'float32', 2);
    const sigma = tf.tensor1d([0.01, 0.1, 0.5, 1, 3, 10]);
    const { autodiff, finite } = secondOrderCheck(
      discriminator,
      () => exactR1Penalty((input) => discriminator.forward(input, sigma), x, 1),
      1e-3,
    );
    expect(Math.abs(autodiff - finite) / Math.abs(finite)).toBeLessThan(2e-3);
    tf.dispose([x, sigma]);
    discriminator.dispose();
  });

  it('goes through a U-Net teacher and conv heads, value and parameter gradient', () => {
    const teacher = smallestTeacher();
    teacher.setTrainable(false);
    const discriminator = new ConvDiscriminator({ taps: teacher.featureTaps, seed: 4 });
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 3);
    const sigma = tf.tensor1d([0.3, 1.2]) as tf.Tensor1D;
    const logitsAt: LogitsAt = (input, sigmas) =>
      discriminate(teacher, discriminator, input, sigmas).meanLogit;
    const exact = exactR1Penalty((input) => logitsAt(input, sigma), x, 1).dataSync()[0] as number;
    const finite = finiteDifferenceR1(logitsAt, x, sigma, 1, 1e-2);
    expect(Math.abs(exact - finite) / finite).toBeLessThan(1e-2);
    // The heads are very nonlinear along a direction of all their parameters (GroupNorm over 4
    // values at 1x1): the central difference needs a small step to converge.
    const { autodiff, finite: finiteSecond } = secondOrderCheck(
      discriminator,
      () => exactR1Penalty((input) => logitsAt(input, sigma), x, 1),
      1e-4,
    );
    expect(Math.abs(autodiff - finiteSecond) / Math.abs(finiteSecond)).toBeLessThan(2e-3);
    tf.dispose([x, sigma]);
    teacher.dispose();
    discriminator.dispose();
  });

  it('fails with a clear error where tfjs has no second derivative, where the approximate form works', () => {
    // A network with tf.image.resizeNearestNeighbor, whose gradient tfjs cannot differentiate.
    const conv = new Conv2d(1, 1, { kernelSize: 3, seed: 5 });
    const logitsOf = (x: tf.Tensor) =>
      tf.mean(
        tf.square(conv.forward(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 8]))),
        [1, 2, 3],
      );
    const x = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 6);
    expect(() => discriminatorGradients(conv, () => exactR1Penalty(logitsOf, x, 1))).toThrow(
      'discriminatorGradients: tfjs has no gradient for the kernel ResizeNearestNeighborGrad, the gradient of an op in the discriminator or the teacher, so it cannot take the second derivative that the exact R1 penalty needs. Use approximateR1Penalty',
    );
    const { value, grads } = discriminatorGradients(conv, () =>
      approximateR1Penalty(logitsOf, x, { gamma: 1, seed: 7 }),
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Math.abs(grads[conv.weight.name]?.dataSync()[0] ?? 0)).toBeGreaterThan(0);
    tf.dispose([x, value, grads]);
    conv.dispose();
  });

  it('validates gamma and returns 0 for gamma 0', () => {
    const x = tf.ones([2, 2]);
    const logitsOf = (input: tf.Tensor) => tf.sum(input, 1);
    expect(exactR1Penalty(logitsOf, x, 0).dataSync()[0]).toBe(0);
    // D = x1 + x2: ||grad||^2 = 2, so gamma/2 * 2 = gamma.
    expect(exactR1Penalty(logitsOf, x, 3).dataSync()[0]).toBeCloseTo(3, 6);
    expect(() => exactR1Penalty(logitsOf, x, -1)).toThrow(
      'exactR1Penalty: gamma must be >= 0, got -1',
    );
    expect(() => exactR1Penalty('f' as never, x, 1)).toThrow('logitsOf must be a function');
    x.dispose();
  });
});

describe('approximateR1Penalty', () => {
  it("is FastGen's gamma * mse(D(x), D(x + 0.1 n))", () => {
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 8);
    const logitsOf = (input: tf.Tensor) => tf.sum(tf.square(input), 1);
    const penalty = approximateR1Penalty(logitsOf, x, {
      gamma: 2,
      seed: 9,
    }).dataSync()[0] as number;
    const noise = tf.randomNormal([5, 3], 0, 0.1, 'float32', deriveSeed(9, 0));
    const expected = tf.mul(2, tf.mean(tf.square(tf.sub(logitsOf(x), logitsOf(tf.add(x, noise))))));
    expect(penalty).toBeCloseTo(expected.dataSync()[0] as number, 6);
    expect(approximateR1Penalty(logitsOf, x, { gamma: 0 }).dataSync()[0]).toBe(0);
    expect(() => approximateR1Penalty(logitsOf, x, { gamma: 1, perturbation: 0 })).toThrow(
      'options.perturbation must be a finite number > 0',
    );
    tf.dispose([x, noise, expected]);
  });

  it("computes a batch's penalty in slices from rows of the batch's noise", () => {
    const discriminator = new MlpDiscriminator({ dimension: 2, width: 16, seed: 10 });
    const x = tf.randomNormal([7, 2], 0, 1, 'float32', 11);
    const logitsOf = (input: tf.Tensor) => discriminator.forward(input, 0.5);
    const whole = approximateR1Penalty(logitsOf, x, { gamma: 1, seed: 12 });
    const noise = r1PerturbationNoise([7, 2], 0.1, 12);
    const slice = (start: number, size: number) =>
      approximateR1Penalty(logitsOf, tf.slice(x, start, size), {
        gamma: 1,
        noise: tf.slice(noise, start, size),
      }).dataSync()[0] as number;
    const combined = (3 * slice(0, 3) + 4 * slice(3, 4)) / 7;
    expect(combined).toBeCloseTo(whole.dataSync()[0] as number, 6);
    expect(() => approximateR1Penalty(logitsOf, x, { gamma: 1, noise: tf.zeros([2, 2]) })).toThrow(
      'options.noise must be shaped like the real samples [7,2], got [2,2]',
    );
    tf.dispose([x, whole, noise]);
    discriminator.dispose();
  });

  it('matches gamma a^2 E||grad D||^2 = 2 a^2 exact R1 on average', () => {
    const discriminator = new MlpDiscriminator({ dimension: 2, width: 16, seed: 10 });
    const x = tf.randomNormal([1024, 2], 0, 1.5, 'float32', 11);
    const logitsOf = (input: tf.Tensor) => discriminator.forward(input, 0.5);
    const exact = exactR1Penalty(logitsOf, x, 1).dataSync()[0] as number;
    const approximate = approximateR1Penalty(logitsOf, x, {
      gamma: 1,
      seed: 12,
    }).dataSync()[0] as number;
    const ratio = approximate / (2 * 0.1 ** 2 * exact);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.15);
    x.dispose();
    discriminator.dispose();
  });
});
