import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Conv2d } from './conv2d.js';

describe('Conv2d', () => {
  it('sizes its outputs like PyTorch for the strides the networks use', () => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
    const same = new Conv2d(3, 5, { kernelSize: 4, stride: 2, seed: 1 });
    const explicit = new Conv2d(3, 5, { kernelSize: 4, stride: 2, padding: 1, seed: 1 });
    const halved = same.forward(x);
    expect(halved.shape).toEqual([2, 4, 4, 5]);
    // 'same' on an even size pads one zero per side: PyTorch's padding=1 for a 4x4 kernel.
    const explicitOutput = explicit.forward(x);
    expect(tf.max(tf.abs(tf.sub(halved, explicitOutput))).dataSync()[0]).toBeLessThan(1e-6);
    const toOne = new Conv2d(5, 2, { kernelSize: 4, stride: 4, padding: 'valid', seed: 2 });
    expect(toOne.forward(halved).shape).toEqual([2, 1, 1, 2]);
    expect(same.parameterCount()).toBe(4 * 4 * 3 * 5 + 5);
    const bound = 1 / Math.sqrt(4 * 4 * 3);
    expect(tf.max(tf.abs(same.weight)).dataSync()[0]).toBeLessThanOrEqual(bound);
    expect(() => same.forward(tf.zeros([2, 8, 8, 4]))).toThrow(
      'expected input [batch, height, width, 3], got [2,8,8,4]',
    );
    expect(() => new Conv2d(3, 5, { kernelSize: 3, padding: -1, seed: 1 })).toThrow(
      "options.padding must be 'same', 'valid' or an integer >= 0, got -1",
    );
    tf.dispose([x, halved, explicitOutput]);
    for (const module of [same, explicit, toOne]) module.dispose();
  });
});
