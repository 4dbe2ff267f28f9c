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
});
