import { assertIntegerAtLeast, describeValue } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertSeed } from '../derive-seed.js';
import { Module } from '../module.js';

/** Padding of `Conv2d`: tfjs's `'same'` / `'valid'`, or that many zeros on every side. */
export type Conv2dPadding = 'same' | 'valid' | number;

/** Options of `Conv2d`. */
export interface Conv2dOptions {
  /** Side of the square kernel. */
  kernelSize: number;
  /** Step of the kernel in both directions; default 1. */
  stride?: number;
  /** Default `'same'` (with stride 2 and an even size: one zero on each side, like PyTorch's padding 1 for a 4x4 kernel). */
  padding?: Conv2dPadding;
  /** Seed of the weight initialization. */
  seed: number;
  /** Multiplies the initial weights; default 1. */
  initialScale?: number;
}

/**
 * A 2-D convolution on NHWC tensors, `weight` [k, k, inChannels, outChannels] initialized
 * uniformly in `+-initialScale / sqrt(k * k * inChannels)` (PyTorch's default bound), `bias`
 * [outChannels] zero.
 *
 * @example
 * const conv = new Conv2d(3, 8, { kernelSize: 3, seed: 1 });
 * conv.forward(tf.zeros([2, 16, 16, 3])); // [2, 16, 16, 8]
 */
export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: Conv2dPadding;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    options: Conv2dOptions,
  ) {
    super();
    assertIntegerAtLeast('Conv2d: inChannels', inChannels, 1);
    assertIntegerAtLeast('Conv2d: outChannels', outChannels, 1);
    assertIntegerAtLeast('Conv2d: options.kernelSize', options.kernelSize, 1);
    const stride = options.stride ?? 1;
    assertIntegerAtLeast('Conv2d: options.stride', stride, 1);
    const padding = options.padding ?? 'same';
    if (
      padding !== 'same' &&
      padding !== 'valid' &&
      !(typeof padding === 'number' && Number.isInteger(padding) && padding >= 0)
    ) {
      throw new RangeError(
        `Conv2d: options.padding must be 'same', 'valid' or an integer >= 0, got ${describeValue(padding)}`,
      );
    }
    assertSeed('Conv2d: options.seed', options.seed);
    this.kernelSize = options.kernelSize;
    this.stride = stride;
    this.padding = padding;
    const fanIn = options.kernelSize * options.kernelSize * inChannels;
    const bound = (options.initialScale ?? 1) / Math.sqrt(fanIn);
    this.weight = this.addParameter(
      'weight',
      tf.randomUniform(
        [options.kernelSize, options.kernelSize, inChannels, outChannels],
        -bound,
        bound,
        'float32',
        options.seed,
      ),
    );
    this.bias = this.addParameter('bias', tf.zeros([outChannels]));
  }

  /** The convolution of `x` [batch, height, width, inChannels]. */
  forward(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new RangeError(
        `Conv2d: expected input [batch, height, width, ${this.inChannels}], got [${x.shape}]`,
      );
    }
    return tf.tidy(() => {
      const output = tf.conv2d(
        x as tf.Tensor4D,
        this.weight as tf.Tensor4D,
        this.stride,
        this.padding === 'same' || this.padding === 'valid'
          ? this.padding
          : [
              [0, 0],
              [this.padding, this.padding],
              [this.padding, this.padding],
              [0, 0],
            ],
      );
      return tf.add(output, this.bias) as tf.Tensor4D;
    });
  }
}
