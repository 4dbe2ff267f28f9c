import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Seed of the weight initialization. */
  seed: number;
  /** Multiplies the initial weights (0 gives a zero-initialized layer); default 1. */
  initialScale?: number;
}

/**
 * A dense layer `y = x W + b` on the last axis, `W` [inFeatures, outFeatures] initialized
 * uniformly in `+-initialScale / sqrt(inFeatures)` (PyTorch's default bound), `b` zero.
 *
 * @example const layer = new Linear(2, 64, { seed: 1 }); layer.forward(tf.zeros([8, 2])); // [8, 64]
 */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions,
  ) {
    super();
    assertIntegerAtLeast('Linear: inFeatures', inFeatures, 1);
    assertIntegerAtLeast('Linear: outFeatures', outFeatures, 1);
    const bound = (options.initialScale ?? 1) / Math.sqrt(inFeatures);
    this.weight = this.addParameter(
      'weight',
      tf.randomUniform([inFeatures, outFeatures], -bound, bound, 'float32', options.seed),
    );
    this.bias = this.addParameter('bias', tf.zeros([outFeatures]));
  }

  /** `x W + b` for x of shape [..., inFeatures]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = tf.reshape(x, [-1, this.inFeatures]);
      const output = tf.add(tf.matMul(flat, this.weight), this.bias);
      return tf.reshape(output, [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }
}
