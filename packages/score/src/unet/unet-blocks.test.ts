import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nearestUpsample2x } from './unet-blocks.js';

describe('nearestUpsample2x', () => {
  it('equals tf.image.resizeNearestNeighbor at twice the size', () => {
    const x = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 1);
    const ours = nearestUpsample2x(x);
    const reference = tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 8]);
    expect(ours.shape).toEqual([2, 6, 8, 5]);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(reference.dataSync()));
    tf.dispose([x, ours, reference]);
  });
});
