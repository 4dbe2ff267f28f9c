import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { clipByGlobalNorm } from './gradient-clipping.js';

/** PyTorch's AdamW written out for one scalar parameter, in float64. */
function referenceAdamW(
  initial: number,
  gradients: number[],
  learningRate: number,
  weightDecay: number,
) {
  let parameter = initial;
  let first = 0;
  let second = 0;
  gradients.forEach((gradient, index) => {
    const step = index + 1;
    parameter *= 1 - learningRate * weightDecay;
    first = 0.9 * first + 0.1 * gradient;
    second = 0.999 * second + 0.001 * gradient * gradient;
    const firstHat = first / (1 - 0.9 ** step);
    const secondHat = second / (1 - 0.999 ** step);
    parameter -= (learningRate * firstHat) / (Math.sqrt(secondHat) + 1e-8);
  });
  return parameter;
}

describe('AdamW', () => {
  it('holds exactly its two moments per parameter, and frees them on dispose', () => {
    const weight = tf.variable(tf.ones([3, 2]), true, 'adamw-leak-weight');
    const before = tf.memory().numTensors;
    const optimizer = new AdamW([['weight', weight]], { learningRate: 1e-3 });
    expect(tf.memory().numTensors - before).toBe(2);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    weight.dispose();
  });

  it("matches PyTorch's update rule over several steps", () => {
    const weight = tf.variable(tf.tensor1d([0.5, -2]));
    const optimizer = new AdamW([['weight', weight]], { learningRate: 0.01, weightDecay: 0.1 });
    const gradients = [
      [0.3, -1],
      [0.1, 2],
      [-0.4, 0.5],
    ];
    for (const gradient of gradients) optimizer.applyGradients({ weight: tf.tensor1d(gradient) });
    const values = weight.dataSync();
    expect(values[0]).toBeCloseTo(
      referenceAdamW(
        0.5,
        gradients.map((g) => g[0] as number),
        0.01,
        0.1,
      ),
      6,
    );
    expect(values[1]).toBeCloseTo(
      referenceAdamW(
        -2,
        gradients.map((g) => g[1] as number),
        0.01,
        0.1,
      ),
      6,
    );
    expect(optimizer.steps).toBe(3);
    optimizer.dispose();
    weight.dispose();
  });

  it('restores its state exactly and rejects a missing moment', () => {
    const make = () => tf.variable(tf.tensor1d([1, 2, 3]));
    const [a, b] = [make(), make()];
    const first = new AdamW([['w', a]], { learningRate: 0.1 });
    first.applyGradients({ w: tf.tensor1d([1, -1, 0.5]) });
    const second = new AdamW([['w', b]], { learningRate: 0.1 });
    second.setState(first.getState());
    b.assign(a);
    for (const optimizer of [first, second])
      optimizer.applyGradients({ w: tf.tensor1d([0.2, 0.3, -0.1]) });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => second.setState({ steps: 1, moments: new Map() })).toThrow(
      'moment "w.first" is missing',
    );
    expect(() => new AdamW([], { learningRate: -1 })).toThrow(
      'options.learningRate must be a finite number > 0',
    );
  });
});

describe('clipByGlobalNorm', () => {
  it('scales gradients to the maximum norm and reports the norm before clipping', () => {
    const { gradients, norm } = clipByGlobalNorm(
      { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) },
      1,
    );
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(Array.from(gradients.a?.dataSync() ?? [])[0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    const untouched = clipByGlobalNorm({ a: tf.tensor1d([0.3]) }, 1);
    expect(untouched.gradients.a?.dataSync()[0]).toBeCloseTo(0.3, 7);
  });
});
