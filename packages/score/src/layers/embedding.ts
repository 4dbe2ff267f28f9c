import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertSeed } from '../derive-seed.js';
import { Module } from '../module.js';

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  /** Seed of the initialization, `N(0, initialScale^2)` per entry. */
  seed: number;
  /** Standard deviation of the initial entries; default 1. */
  initialScale?: number;
}

/**
 * A lookup table `weight`, `[count, features]`: row `i` is the embedding of index `i` (e.g. a class
 * label; class-conditional networks keep one extra row for the null label of classifier-free
 * guidance).
 *
 * @example
 * const table = new Embedding(11, 32, { seed: 1 });
 * table.forward(tf.tensor1d([3, 10], 'int32')); // [2, 32]
 */
export class Embedding extends Module {
  readonly weight: tf.Variable;

  constructor(
    readonly count: number,
    readonly features: number,
    options: EmbeddingOptions,
  ) {
    super();
    assertIntegerAtLeast('Embedding: count', count, 1);
    assertIntegerAtLeast('Embedding: features', features, 1);
    assertSeed('Embedding: options.seed', options.seed);
    const scale = options.initialScale ?? 1;
    this.weight = this.addParameter(
      'weight',
      tf.randomNormal([count, features], 0, scale, 'float32', options.seed),
    );
  }

  /** The rows of `indices` (int32 [batch]): [batch, features]. */
  forward(indices: tf.Tensor): tf.Tensor2D {
    if (indices.dtype !== 'int32' || indices.rank !== 1) {
      throw new RangeError(
        `Embedding: indices must be an int32 tensor of shape [batch], got ${indices.dtype} [${indices.shape}]`,
      );
    }
    // A one-hot product rather than a gather: the same rows exactly, and its gradient is a matmul,
    // which every backend has (gather's gradient needs UnsortedSegmentSum, which wasm lacks).
    return tf.tidy(() => tf.matMul(tf.oneHot(indices, this.count), this.weight) as tf.Tensor2D);
  }
}
