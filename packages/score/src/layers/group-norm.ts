import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';

/** EDM's GroupNorm epsilon. */
export const GROUP_NORM_EPSILON = 1e-5;

/** The group statistics of `x` [batch, ..., channels]: normalized values and 1 / std per group. */
function groupStatistics(x: tf.Tensor, groups: number, epsilon: number) {
  const batch = x.shape[0] as number;
  const channels = x.shape[x.rank - 1] as number;
  const grouped = tf.reshape(x, [batch, -1, groups, channels / groups]);
  const centered = tf.sub(grouped, tf.mean(grouped, [1, 3], true));
  const inverseDeviation = tf.rsqrt(tf.add(tf.mean(tf.square(centered), [1, 3], true), epsilon));
  return { normalized: tf.mul(centered, inverseDeviation), inverseDeviation };
}

/**
 * GroupNorm as one differentiable op: the forward pass frees its intermediates at once and only
 * the input and the scale are saved for the backward pass, which recomputes the statistics and
 * applies the closed-form gradient `dx = (d - mean(d) - n mean(d n)) / std` (d the upstream
 * gradient times the scale, n the normalized input, means over each group). Built of ops whose
 * own gradients read their inputs, so second derivatives stay exact (see twice-differentiable.ts).
 */
function groupNormOp(groups: number, epsilon: number) {
  return tf.customGrad((x, weight, bias, save) => {
    const input = x as tf.Tensor;
    const scale = weight as tf.Tensor;
    (save as tf.GradSaveFunc)([input, scale]);
    const value = tf.tidy(() => {
      const { normalized } = groupStatistics(input, groups, epsilon);
      return tf.add(tf.mul(tf.reshape(normalized, input.shape), scale), bias as tf.Tensor);
    });
    return {
      value,
      gradFunc: (dy, saved) => {
        const [savedInput, savedScale] = saved as [tf.Tensor, tf.Tensor];
        const upstream = dy as tf.Tensor;
        const { normalized, inverseDeviation } = groupStatistics(savedInput, groups, epsilon);
        const scaled = tf.reshape(tf.mul(upstream, savedScale), normalized.shape);
        const inputGradient = tf.mul(
          inverseDeviation,
          tf.sub(
            tf.sub(scaled, tf.mean(scaled, [1, 3], true)),
            tf.mul(normalized, tf.mean(tf.mul(scaled, normalized), [1, 3], true)),
          ),
        );
        const allButChannels = Array.from({ length: savedInput.rank - 1 }, (_, axis) => axis);
        return [
          tf.reshape(inputGradient, savedInput.shape),
          tf.sum(tf.mul(upstream, tf.reshape(normalized, savedInput.shape)), allButChannels),
          tf.sum(upstream, allButChannels),
        ];
      },
    };
  });
}

/**
 * Group normalization (Wu & He, 2018) on channels-last tensors [batch, ..., channels]: the
 * channels are split into `groups` groups, each normalized to zero mean and unit variance over
 * its channels and every spatial position of one sample, then scaled by `weight` (ones) and
 * shifted by `bias` (zeros), both [channels]. It never mixes samples, so a sample's output
 * depends on that sample alone. One op with a closed-form gradient: under a gradient tape it
 * keeps one tensor (its input) alive instead of every intermediate, and runs fewer kernels.
 *
 * @example
 * const norm = new GroupNorm(4, 16);
 * norm.forward(tf.randomNormal([2, 8, 8, 16])); // [2, 8, 8, 16]
 */
export class GroupNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  private readonly normalize: (x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => tf.Tensor;

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
    this.normalize = groupNormOp(groups, epsilon);
  }

  /** Normalizes `x` [batch, ..., channels]. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.channels) {
      throw new RangeError(
        `GroupNorm: expected input [batch, ..., ${this.channels}], got [${x.shape}]`,
      );
    }
    return this.normalize(x, this.weight, this.bias);
  }
}
