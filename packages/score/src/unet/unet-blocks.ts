import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed } from '../derive-seed.js';
import { Conv2d } from '../layers/conv2d.js';
import { GroupNorm } from '../layers/group-norm.js';
import { Linear } from '../layers/linear.js';
import { SelfAttention } from '../layers/self-attention.js';
import { twiceDifferentiableSilu } from '../layers/twice-differentiable.js';
import { Module } from '../module.js';

/** Options of `ResidualBlock`. */
export interface ResidualBlockOptions {
  embeddingSize: number;
  groupNormGroups: number;
  /** Ends the block with self-attention. */
  attention: boolean;
  seed: number;
}

/**
 * EDM's U-Net block: `h = conv0(silu(norm0(x))) + affine(embedding)` (the sigma embedding added
 * per channel), `h = conv1(silu(norm1(h)))`, output `(h + skip(x)) / sqrt(2)` with a 1x1 `skip`
 * when the channel count changes, then optional self-attention.
 */
export class ResidualBlock extends Module {
  readonly norm0: GroupNorm;
  readonly conv0: Conv2d;
  readonly affine: Linear;
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly skip: Conv2d | undefined;
  readonly attention: SelfAttention | undefined;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    options: ResidualBlockOptions,
  ) {
    super();
    const seed = (stream: number) => deriveSeed(options.seed, stream);
    this.norm0 = this.addModule('norm0', new GroupNorm(options.groupNormGroups, inChannels));
    this.conv0 = this.addModule(
      'conv0',
      new Conv2d(inChannels, outChannels, { kernelSize: 3, seed: seed(0) }),
    );
    this.affine = this.addModule(
      'affine',
      new Linear(options.embeddingSize, outChannels, { seed: seed(1) }),
    );
    this.norm1 = this.addModule('norm1', new GroupNorm(options.groupNormGroups, outChannels));
    this.conv1 = this.addModule(
      'conv1',
      new Conv2d(outChannels, outChannels, { kernelSize: 3, seed: seed(2) }),
    );
    this.skip =
      inChannels === outChannels
        ? undefined
        : this.addModule(
            'skip',
            new Conv2d(inChannels, outChannels, { kernelSize: 1, seed: seed(3) }),
          );
    this.attention = options.attention
      ? this.addModule(
          'attention',
          new SelfAttention(outChannels, {
            groupNormGroups: options.groupNormGroups,
            seed: seed(4),
          }),
        )
      : undefined;
  }

  /** `x` [batch, height, width, inChannels], `embedding` [batch, embeddingSize]. */
  forward(x: tf.Tensor, embedding: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      let h: tf.Tensor = this.conv0.forward(twiceDifferentiableSilu(this.norm0.forward(x)));
      const shift = tf.reshape(this.affine.forward(embedding), [-1, 1, 1, this.outChannels]);
      h = tf.add(h, shift);
      h = this.conv1.forward(twiceDifferentiableSilu(this.norm1.forward(h)));
      const skip = this.skip === undefined ? x : this.skip.forward(x);
      let output = tf.mul(tf.add(h, skip), Math.SQRT1_2) as tf.Tensor4D;
      if (this.attention !== undefined) output = this.attention.forward(output);
      return output;
    });
  }
}

/** Halves the resolution with a 3x3 convolution of stride 2 (channels unchanged). */
export class Downsample extends Module {
  readonly conv: Conv2d;

  constructor(
    readonly channels: number,
    seed: number,
  ) {
    super();
    this.conv = this.addModule(
      'conv',
      new Conv2d(channels, channels, { kernelSize: 3, stride: 2, seed }),
    );
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return this.conv.forward(x);
  }
}

/** Doubles the resolution: nearest-neighbour 2x, then a 3x3 convolution (channels unchanged). */
export class Upsample extends Module {
  readonly conv: Conv2d;

  constructor(
    readonly channels: number,
    seed: number,
  ) {
    super();
    this.conv = this.addModule('conv', new Conv2d(channels, channels, { kernelSize: 3, seed }));
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => this.conv.forward(nearestUpsample2x(x)));
  }
}

/**
 * Nearest-neighbour 2x upsampling of NHWC `x` by concatenation and reshape. Unlike
 * `tf.image.resizeNearestNeighbor`, whose gradient tfjs cannot differentiate again, it has
 * exact second derivatives.
 */
export function nearestUpsample2x(x: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape as [number, number, number, number];
    // [b, h, w, c] -> [b, h, w, 2c] -> [b, h, 2w, c]: each pixel repeated along the width.
    const wide = tf.reshape(tf.concat([x, x], 3), [batch, height, 2 * width, channels]);
    // [b, h, 2w, c] -> [b, h, 4w, c] -> [b, 2h, 2w, c]: each row repeated along the height.
    return tf.reshape(tf.concat([wide, wide], 2), [batch, 2 * height, 2 * width, channels]);
  });
}
