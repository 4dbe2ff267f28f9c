import { assertEvenIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertSeed } from '../derive-seed.js';
import { Module } from '../module.js';

/** How the noise condition `c_noise = ln(sigma) / 4` is embedded. */
export type NoiseEmbeddingKind = 'fourier' | 'positional';

/** EDM's default scale of the Fourier frequencies (NCSN++). */
export const DEFAULT_FOURIER_SCALE = 16;

/** The largest period of the positional embedding (EDM and DDPM use 10000). */
export const POSITIONAL_MAX_POSITIONS = 10000;

/** Options of `NoiseEmbedding`. */
export interface NoiseEmbeddingOptions {
  /** `'fourier'` (random frequencies, NCSN++) or `'positional'` (transformer sinusoids, DDPM++). */
  kind: NoiseEmbeddingKind;
  /** Number of output features, an even integer >= 2 (half cosines, half sines). */
  size: number;
  /** Seed of the Fourier frequencies (unused by the positional embedding). */
  seed: number;
  /** Standard deviation of the Fourier frequencies; default 16 (EDM). */
  fourierScale?: number;
}

/**
 * A fixed (parameter-free) sinusoidal embedding of the noise condition, as in EDM:
 * `[cos(2 pi f c), sin(2 pi f c)]` with `size / 2` frequencies `f ~ N(0, fourierScale^2)` drawn
 * once from `seed` ('fourier'), or `[cos(f_j c), sin(f_j c)]` with
 * `f_j = (1 / 10000)^(j / (size / 2))` ('positional'). The frequencies are never trained: the
 * Fourier ones are a buffer `frequencies` (2 pi f, [size / 2]) saved and loaded with the state
 * dict, so weights copied into a network built with another seed keep their embedding; the
 * positional ones follow from `size`.
 *
 * @example
 * const embedding = new NoiseEmbedding({ kind: 'fourier', size: 32, seed: 1 });
 * embedding.forward(tf.tensor1d([-0.5, 0.25])); // [2, 32]
 */
export class NoiseEmbedding extends Module {
  readonly kind: NoiseEmbeddingKind;
  readonly size: number;
  private readonly positionalFrequencies: number[] | undefined;
  private readonly fourierFrequencies: tf.Variable | undefined;

  constructor(options: NoiseEmbeddingOptions) {
    super();
    const { kind, size, seed } = options;
    if (kind !== 'fourier' && kind !== 'positional') {
      throw new RangeError(
        `NoiseEmbedding: options.kind must be 'fourier' or 'positional', got ${JSON.stringify(kind)}`,
      );
    }
    assertEvenIntegerAtLeast('NoiseEmbedding: options.size', size, 2);
    assertSeed('NoiseEmbedding: options.seed', seed);
    const fourierScale = options.fourierScale ?? DEFAULT_FOURIER_SCALE;
    assertPositiveNumber('NoiseEmbedding: options.fourierScale', fourierScale);
    this.kind = kind;
    this.size = size;
    const half = size / 2;
    if (kind === 'fourier') {
      this.fourierFrequencies = this.addBuffer(
        'frequencies',
        tf.tidy(() =>
          tf.mul(tf.randomNormal([half], 0, fourierScale, 'float32', seed), 2 * Math.PI),
        ),
      );
    } else {
      this.positionalFrequencies = Array.from(
        { length: half },
        (_, j) => (1 / POSITIONAL_MAX_POSITIONS) ** (j / half),
      );
    }
  }

  /** The angular frequencies (2 pi f for 'fourier'), `size / 2` of them. */
  get frequencies(): number[] {
    if (this.fourierFrequencies !== undefined)
      return Array.from(this.fourierFrequencies.dataSync());
    return [...(this.positionalFrequencies as number[])];
  }

  /** The embedding of `noiseCondition` (`[batch]`), `[batch, size]`. */
  forward(noiseCondition: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const frequencies =
        this.fourierFrequencies === undefined
          ? tf.tensor2d(this.positionalFrequencies as number[], [1, this.size / 2])
          : tf.reshape(this.fourierFrequencies, [1, this.size / 2]);
      const angles = tf.mul(tf.reshape(noiseCondition, [-1, 1]), frequencies);
      return tf.concat([tf.cos(angles), tf.sin(angles)], 1) as tf.Tensor2D;
    });
  }
}
