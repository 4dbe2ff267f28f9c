import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/divergence';
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';

/** EDM's GroupNorm epsilon. */
export const GROUP_NORM_EPSILON = 1e-5;

/**
 * Group normalization (Wu & He, 2018) on channels-last tensors [batch, ..., channels]: the
 * channels are split into `groups` groups, each normalized to zero mean and unit variance over
 * its channels and every spatial position of one sample, then scaled by `weight` (ones) and
 * shifted by `bias` (zeros), both [channels]. It never mixes samples, so a sample's output
 * depends on that sample alone.
 *
 * @example
 * const norm = new GroupNorm(4, 16);
 * norm.forward(tf.randomNormal([2, 8, 8, 16])); // [2, 8, 8, 16]
 */
export class GroupNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly groups: number,
    readonly channels: number,
    readonly epsilon: number = GROUP_NORM_EPSILON,
  ) {
    super();
    assertIntegerAtLeast('GroupNorm: groups', groups, 1);
    assertIntegerAtLeast('GroupNorm: channels', channels, 1);
    assertPositiveNumber('GroupNorm: epsilon', epsilon);
    if (channels % groups !== 0) {
      throw new RangeError(`GroupNorm: groups (${groups}) must divide channels (${channels})`);
    }
    this.weight = this.addParameter('weight', tf.ones([channels]));
    this.bias = this.addParameter('bias', tf.zeros([channels]));
  }

  /** Normalizes `x` [batch, ..., channels]. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.channels) {
      throw new RangeError(
        `GroupNorm: expected input [batch, ..., ${this.channels}], got [${x.shape}]`,
      );
    }
    return tf.tidy(() => {
      const batch = x.shape[0] as number;
      const grouped = tf.reshape(x, [batch, -1, this.groups, this.channels / this.groups]);
      const mean = tf.mean(grouped, [1, 3], true);
      const centered = tf.sub(grouped, mean);
      const variance = tf.mean(tf.square(centered), [1, 3], true);
      const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(tf.reshape(normalized, x.shape), this.weight), this.bias);
    });
  }
}
