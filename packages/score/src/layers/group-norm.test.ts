import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GroupNorm } from './group-norm.js';

describe('GroupNorm', () => {
  it('normalizes each group of each sample to mean 0 and variance 1', () => {
    const norm = new GroupNorm(2, 4);
    const x = tf.add(tf.mul(tf.randomNormal([3, 5, 5, 4], 0, 1, 'float32', 3), 7), 2);
    const y = norm.forward(x);
    const grouped = tf.reshape(y, [3, 25, 2, 2]);
    const { mean, variance } = tf.moments(grouped, [1, 3]);
    expect(tf.max(tf.abs(mean)).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0]).toBeLessThan(1e-4);
    expect(norm.forward(tf.ones([2, 4])).shape).toEqual([2, 4]);
    expect(() => new GroupNorm(3, 4)).toThrow('groups (3) must divide channels (4)');
    tf.dispose([x, y, grouped, mean, variance]);
    norm.dispose();
  });

  it('has the first and second derivatives of the textbook composite (autodiff of mean, variance, rsqrt)', () => {
    const groups = 3;
    const norm = new GroupNorm(groups, 6);
    norm.weight.assign(tf.randomNormal([6], 1, 0.5, 'float32', 4));
    norm.bias.assign(tf.randomNormal([6], 0, 0.5, 'float32', 5));
    const composite = (x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => {
      const grouped = tf.reshape(x, [2, -1, groups, 2]);
      const centered = tf.sub(grouped, tf.mean(grouped, [1, 3], true));
      const variance = tf.mean(tf.square(centered), [1, 3], true);
      const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, norm.epsilon)));
      return tf.add(tf.mul(tf.reshape(normalized, x.shape), weight), bias);
    };
    const x = tf.mul(tf.randomNormal([2, 3, 3, 6], 0.5, 1, 'float32', 6), 3);
    const upstream = tf.randomNormal([2, 3, 3, 6], 0, 1, 'float32', 7);
    type Normalize = (x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
    const derivatives = (normalize: Normalize) => {
      const objective = (input: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) =>
        tf.sum(tf.mul(normalize(input, weight, bias), upstream));
      const first = tf.grads(objective)([x, norm.weight, norm.bias]);
      // Second order, as an exact R1 penalty takes it: the gradient of |d objective / dx|^2.
      const second = tf.grads((input: tf.Tensor, weight: tf.Tensor) =>
        tf.sum(
          tf.square(tf.grad((inner: tf.Tensor) => objective(inner, weight, norm.bias))(input)),
        ),
      )([x, norm.weight]);
      return [...first, ...second].map((tensor) => Array.from(tensor.dataSync()));
    };
    // tf.grads passes norm.weight and norm.bias themselves, which forward reads.
    const fused = derivatives((input) => norm.forward(input));
    const reference = derivatives(composite);
    for (let index = 0; index < reference.length; index++) {
      const expected = reference[index] as number[];
      const scale = Math.max(...expected.map(Math.abs));
      const worst = Math.max(
        ...expected.map((value, i) => Math.abs(value - ((fused[index] as number[])[i] as number))),
      );
      expect(worst / scale, `derivative ${index}`).toBeLessThan(1e-4);
    }
    tf.dispose([x, upstream]);
    norm.dispose();
  });
});
