import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { SelfAttention } from './self-attention.js';

describe('SelfAttention', () => {
  it('mixes positions and keeps the shape', () => {
    const attention = new SelfAttention(8, { groupNormGroups: 2, seed: 4 });
    const x = tf.randomNormal([2, 3, 3, 8], 0, 1, 'float32', 5);
    const y = attention.forward(x);
    expect(y.shape).toEqual([2, 3, 3, 8]);
    // Changing one position changes the output at every other position of that sample only.
    const changed = tf.add(
      x,
      tf.mul(tf.reshape(tf.oneHot(tf.tensor1d([0], 'int32'), 2 * 9 * 8), [2, 3, 3, 8]), 5),
    );
    const difference = tf.abs(tf.sub(attention.forward(changed), y));
    const perPosition = tf.sum(difference, -1).arraySync() as number[][][];
    expect(perPosition[0]?.[2]?.[2]).toBeGreaterThan(1e-4);
    expect(Math.max(...(perPosition[1]?.flat() ?? [1]))).toBe(0);
    expect(attention.parameterCount()).toBe(2 * 8 + (8 * 24 + 24) + (8 * 8 + 8));
    attention.dispose();
  });
});
