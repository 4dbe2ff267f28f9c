import '@tensorflow/tfjs';
import { Conv2d } from '@fdistill/score';
import { identical, maxAbs, snapshot } from '@fdistill/testing';
import { tinyTeacher } from '@fdistill/testing/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConvDiscriminator } from './conv-discriminator.js';
import { discriminate } from './discriminate.js';
import { discriminatorGradients } from './discriminator-gradients.js';
import { discriminatorLoss, generatorLoss } from './losses.js';

describe('frozen teacher, trainable heads', () => {
  it('a discriminator step changes the heads and leaves the teacher bit-identical; the generator gets a gradient through the teacher', () => {
    const teacher = tinyTeacher();
    teacher.setTrainable(false);
    const discriminator = new ConvDiscriminator({ taps: teacher.featureTaps, seed: 6 });
    // A stand-in generator: one 3x3 convolution of a latent image.
    const generator = new Conv2d(1, 1, { kernelSize: 3, seed: 7 });
    const z = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 8);
    const real = tf.randomNormal([2, 16, 16, 1], 0, 0.5, 'float32', 9);
    const sigma = tf.tensor1d([0.4, 2]);
    const noise = (seed: number) =>
      tf.mul(
        tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', seed),
        tf.reshape(sigma, [2, 1, 1, 1]),
      );
    const realNoised = tf.add(real, noise(10));
    const labels = tf.tensor1d([1, 3], 'int32');

    expect(teacher.parameters().every((variable) => !variable.trainable)).toBe(true);
    const teacherBefore = snapshot(teacher.parameters());
    const headsBefore = snapshot(discriminator.parameters());
    const { value, grads } = discriminatorGradients(discriminator, () => {
      // The generator's output is detached for the discriminator step, as in Algorithm 1.
      const fakeNoised = tf.add(generator.forward(z), noise(11));
      return discriminatorLoss(
        discriminate(teacher, discriminator, realNoised, sigma, labels),
        discriminate(teacher, discriminator, fakeNoised, sigma, labels),
      );
    });
    // Gradients exist for exactly the head parameters.
    expect(Object.keys(grads).sort()).toEqual(
      discriminator
        .parameters()
        .map((v) => v.name)
        .sort(),
    );
    const optimizer: tf.Optimizer = tf.train.adam(1e-3);
    optimizer.applyGradients(grads);
    expect(identical(snapshot(teacher.parameters()), teacherBefore)).toBe(true);
    const headsAfter = snapshot(discriminator.parameters());
    const changed = headsAfter.filter(
      (values, index) => !identical([values], [headsBefore[index] as Float32Array]),
    );
    expect(changed.length).toBe(headsAfter.length);

    // The generator's GAN term: its gradient flows through the frozen teacher.
    const generatorGradients = tf.variableGrads(() => {
      const fakeNoised = tf.add(generator.forward(z), noise(12));
      return generatorLoss(discriminate(teacher, discriminator, fakeNoised, sigma, labels));
    }, generator.parameters());
    const weightGradient = generatorGradients.grads[generator.weight.name] as tf.Tensor;
    expect(maxAbs(weightGradient)).toBeGreaterThan(0);
    expect(weightGradient.dataSync().every(Number.isFinite)).toBe(true);
    // ... and still leaves the teacher alone.
    expect(Object.keys(generatorGradients.grads)).toEqual(
      generator.parameters().map((v) => v.name),
    );
    expect(identical(snapshot(teacher.parameters()), teacherBefore)).toBe(true);

    tf.dispose([
      z,
      real,
      sigma,
      realNoised,
      labels,
      value,
      grads,
      generatorGradients.value,
      generatorGradients.grads,
    ]);
    optimizer.dispose();
    for (const module of [teacher, discriminator, generator]) module.dispose();
  });

  it('refuses a discriminator with nothing to train', () => {
    const discriminator = new ConvDiscriminator({
      taps: [{ name: 'encoder.8', resolution: 8, channels: 4 }],
      seed: 1,
    });
    discriminator.setTrainable(false);
    expect(() => discriminatorGradients(discriminator, () => tf.scalar(0))).toThrow(
      'the discriminator has no trainable parameters',
    );
    discriminator.dispose();
  });
});
