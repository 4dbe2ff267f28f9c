import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertSeed, deriveSeed } from '../derive-seed.js';
import { Module } from '../module.js';
import { GroupNorm } from './group-norm.js';
import { Linear } from './linear.js';
import { twiceDifferentiableSoftmax } from './twice-differentiable.js';

/** Options of `SelfAttention`. */
export interface SelfAttentionOptions {
  /** Groups of the GroupNorm in front of the attention. */
  groupNormGroups: number;
  /** Seed of the initialization. */
  seed: number;
}

/**
 * Single-head self-attention over the positions of an NHWC feature map, with a residual
 * connection (EDM's U-Net attention at one head): `h = norm(x)`, `q, k, v = split(h Wqkv)`,
 * `y = softmax(q k^T / sqrt(channels)) v`, output `(x + y Wproj) / sqrt(2)`. Its softmax has
 * exact second derivatives (see `twiceDifferentiableSoftmax`).
 *
 * @example
 * const attention = new SelfAttention(16, { groupNormGroups: 4, seed: 1 });
 * attention.forward(tf.randomNormal([2, 4, 4, 16])); // [2, 4, 4, 16]
 */
export class SelfAttention extends Module {
  readonly norm: GroupNorm;
  readonly qkv: Linear;
  readonly projection: Linear;

  constructor(
    readonly channels: number,
    options: SelfAttentionOptions,
  ) {
    super();
    assertIntegerAtLeast('SelfAttention: channels', channels, 1);
    assertSeed('SelfAttention: options.seed', options.seed);
    this.norm = this.addModule('norm', new GroupNorm(options.groupNormGroups, channels));
    this.qkv = this.addModule(
      'qkv',
      new Linear(channels, 3 * channels, { seed: deriveSeed(options.seed, 0) }),
    );
    this.projection = this.addModule(
      'projection',
      new Linear(channels, channels, { seed: deriveSeed(options.seed, 1) }),
    );
  }

  /** Attends over the `height * width` positions of `x` [batch, height, width, channels]. */
  forward(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.channels) {
      throw new RangeError(
        `SelfAttention: expected input [batch, height, width, ${this.channels}], got [${x.shape}]`,
      );
    }
    return tf.tidy(() => {
      const [batch, height, width] = x.shape as [number, number, number, number];
      const positions = tf.reshape(this.norm.forward(x), [batch, height * width, this.channels]);
      const [query, key, value] = tf.split(this.qkv.forward(positions), 3, 2) as [
        tf.Tensor3D,
        tf.Tensor3D,
        tf.Tensor3D,
      ];
      const scores = tf.mul(tf.matMul(query, key, false, true), 1 / Math.sqrt(this.channels));
      const attended = tf.matMul(twiceDifferentiableSoftmax(scores) as tf.Tensor3D, value);
      const projected = tf.reshape(this.projection.forward(attended), x.shape);
      return tf.mul(tf.add(x, projected), Math.SQRT1_2) as tf.Tensor4D;
    });
  }
}
