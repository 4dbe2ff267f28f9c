import {
  assertEvenIntegerAtLeast,
  assertIntegerAtLeast,
  assertPositiveNumber,
} from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertSeed } from '../derive-seed.js';
import { Module } from '../module.js';

/** Options of `InputFourierFeatures`. */
export interface InputFourierFeaturesOptions {
  /** Dimension of the input vectors. */
  dimension: number;
  /** Number of sinusoidal features added to the input, an even integer >= 2 (half cosines, half sines). */
  count: number;
  /** Standard deviation of the frequencies. */
  scale: number;
  /** Seed of the frequencies. */
  seed: number;
}

/**
 * Random Fourier features of a vector input (Tancik et al., 2020): `[x, cos(x B), sin(x B)]` with
 * `B` [dimension, count / 2] of angular frequencies `2 pi N(0, scale^2)` drawn once from `seed`. They let
 * an MLP represent maps with sharp transitions (a one-step generator's jumps between modes) that
 * a plain MLP learns only slowly (spectral bias). `B` is a buffer `frequencies`, saved and loaded
 * with the state dict and never trained.
 *
 * @example
 * const features = new InputFourierFeatures({ dimension: 2, count: 64, scale: 1, seed: 3 });
 * features.forward(tf.zeros([8, 2])); // [8, 66]
 */
export class InputFourierFeatures extends Module {
  /** Width of the output: `dimension + count`. */
  readonly outputSize: number;
  private readonly frequencies: tf.Variable;

  constructor(readonly options: Readonly<InputFourierFeaturesOptions>) {
    super();
    const { dimension, count, scale, seed } = options;
    assertIntegerAtLeast('InputFourierFeatures: options.dimension', dimension, 1);
    assertEvenIntegerAtLeast('InputFourierFeatures: options.count', count, 2);
    assertPositiveNumber('InputFourierFeatures: options.scale', scale);
    assertSeed('InputFourierFeatures: options.seed', seed);
    this.outputSize = dimension + count;
    this.frequencies = this.addBuffer(
      'frequencies',
      tf.tidy(() =>
        tf.mul(tf.randomNormal([dimension, count / 2], 0, scale, 'float32', seed), 2 * Math.PI),
      ),
    );
  }

  /** `[x, cos(x B), sin(x B)]` for x [batch, dimension]: [batch, dimension + count]. */
  forward(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const angles = tf.matMul(x as tf.Tensor2D, this.frequencies as tf.Tensor2D);
      return tf.concat([x, tf.cos(angles), tf.sin(angles)], 1) as tf.Tensor2D;
    });
  }
}
