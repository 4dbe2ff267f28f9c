import {
  assertFiniteNumber,
  assertIntegerAtLeast,
  assertPositiveNumber,
  describeValue,
} from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';

/** How the sigma bins split `[sigmaMin, sigmaMax]`: in equal widths of sigma or of ln sigma. */
export type RatioBinSpacing = 'linear' | 'log';

/** Options of `RatioNormalizer`; the defaults are FastGen's (10 bins linear over [0.002, 80]). */
export interface RatioNormalizerOptions {
  /** Number of sigma bins; default 10. */
  binCount?: number;
  /**
   * `'linear'` (FastGen's, the default) or `'log'`: bins of equal width in ln sigma, so that each
   * holds a narrow range of noise levels at every scale (linear bins over [0.002, 80] put every
   * sigma below 8 in the first).
   */
  binSpacing?: RatioBinSpacing;
  /** Lower edge of the first bin; default 0.002 (EDM sigma_min). */
  sigmaMin?: number;
  /** Upper edge of the last bin; default 80 (EDM sigma_max). */
  sigmaMax?: number;
  /** EMA rate of the bin means: 0 uses this batch's mean, 0.5 is FastGen's ImageNet-64 value. */
  emaRate?: number;
}

/** Everything a `RatioNormalizer` needs to resume: its options and the current bin means. */
export interface RatioNormalizerState {
  binCount: number;
  /** Absent in states saved before the option existed: those are `'linear'`. */
  binSpacing?: RatioBinSpacing;
  sigmaMin: number;
  sigmaMax: number;
  emaRate: number;
  binMeans: number[];
}

/** Added to a bin mean before dividing by it (as FastGen). */
const BIN_EPSILON = 1e-6;

/**
 * Stage one of the two-stage normalization (paper Sec. 4): `E_q[r_t] = 1` at every noise level,
 * so each ratio is divided by the running mean ratio of its sigma bin. Bins split
 * `[sigmaMin, sigmaMax]` linearly (or in ln sigma, `binSpacing: 'log'`); sigmas outside fall into
 * the end bins. A bin's mean is updated by EMA only when the batch has samples in it, and starts
 * at 1. The means are persistent state: save them with `await getState()` in a checkpoint and
 * restore them with `setState()`.
 *
 * @example
 * const normalizer = new RatioNormalizer({ emaRate: 0.5 });
 * const normalized = normalizer.normalize(tf.tensor1d([2, 4]), tf.tensor1d([1, 1]));
 * // both sigmas share a bin whose mean becomes 0.5 * 1 + 0.5 * 3 = 2: [1, 2]
 */
export class RatioNormalizer {
  readonly binCount: number;
  readonly binSpacing: RatioBinSpacing;
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  readonly emaRate: number;
  private binMeans: tf.Tensor1D;

  constructor(options: RatioNormalizerOptions = {}) {
    const {
      binCount = 10,
      binSpacing = 'linear',
      sigmaMin = 0.002,
      sigmaMax = 80,
      emaRate = 0,
    } = options;
    assertIntegerAtLeast('RatioNormalizer: options.binCount', binCount, 1);
    if (binSpacing !== 'linear' && binSpacing !== 'log') {
      throw new RangeError(
        `RatioNormalizer: options.binSpacing must be 'linear' or 'log', got ${describeValue(binSpacing)}`,
      );
    }
    assertFiniteNumber('RatioNormalizer: options.sigmaMin', sigmaMin);
    assertPositiveNumber('RatioNormalizer: options.sigmaMax', sigmaMax);
    if (!(sigmaMax > sigmaMin)) {
      throw new RangeError(
        `RatioNormalizer: options.sigmaMax must be > options.sigmaMin (${sigmaMin}), got ${sigmaMax}`,
      );
    }
    if (binSpacing === 'log' && !(sigmaMin > 0)) {
      throw new RangeError(
        `RatioNormalizer: options.sigmaMin must be > 0 with binSpacing 'log', got ${sigmaMin}`,
      );
    }
    assertFiniteNumber('RatioNormalizer: options.emaRate', emaRate);
    if (emaRate < 0 || emaRate >= 1) {
      throw new RangeError(`RatioNormalizer: options.emaRate must be in [0, 1), got ${emaRate}`);
    }
    this.binCount = binCount;
    this.binSpacing = binSpacing;
    this.sigmaMin = sigmaMin;
    this.sigmaMax = sigmaMax;
    this.emaRate = emaRate;
    this.binMeans = tf.keep(tf.ones([binCount], 'float32'));
  }

  /** Bin index of each sigma (int32), clamped to `[0, binCount - 1]`. */
  binIndex(sigma: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const flat = tf.reshape(sigma, [-1]);
      const log = this.binSpacing === 'log';
      const low = log ? Math.log(this.sigmaMin) : this.sigmaMin;
      const width = ((log ? Math.log(this.sigmaMax) : this.sigmaMax) - low) / this.binCount;
      // ln of a sigma <= 0 is -Inf or NaN: clamp first, it belongs to the first bin anyway.
      const scaled = log ? tf.log(tf.maximum(flat, this.sigmaMin)) : flat;
      const position = tf.floor(tf.div(tf.sub(scaled, low), width));
      return tf.cast(tf.clipByValue(position, 0, this.binCount - 1), 'int32') as tf.Tensor1D;
    });
  }

  /**
   * Updates the bin means with this batch and returns `r / (binMean(sigma) + 1e-6)` in the shape
   * of `ratio`. `ratio` and `sigma` hold one value per sample.
   */
  normalize<T extends tf.Tensor>(ratio: T, sigma: tf.Tensor): T {
    if (!(ratio instanceof tf.Tensor) || !(sigma instanceof tf.Tensor)) {
      throw new TypeError('RatioNormalizer.normalize(ratio, sigma): both must be tf.Tensors');
    }
    if (ratio.size !== sigma.size || ratio.size === 0) {
      throw new RangeError(
        `RatioNormalizer.normalize(ratio, sigma): one sigma per ratio expected, got ${ratio.size} ratios and ${sigma.size} sigmas`,
      );
    }
    const [updated, normalized] = tf.tidy(() => {
      const index = this.binIndex(sigma);
      const values = tf.reshape(tf.cast(ratio, 'float32'), [1, -1]);
      // One-hot bin membership [batch, bins] (tf.oneHot needs at least 2 bins).
      const membership = tf.cast(
        tf.equal(tf.reshape(index, [-1, 1]), tf.range(0, this.binCount, 1, 'int32')),
        'float32',
      );
      const counts = tf.sum(membership, 0);
      const sums = tf.reshape(tf.matMul(values, membership), [this.binCount]);
      const batchMeans = tf.div(sums, tf.add(counts, BIN_EPSILON));
      const blended = tf.add(
        tf.mul(this.binMeans, this.emaRate),
        tf.mul(batchMeans, 1 - this.emaRate),
      );
      const means = tf.where(tf.greater(counts, 0), blended, this.binMeans) as tf.Tensor1D;
      const divisor = tf.add(tf.gather(means, index), BIN_EPSILON);
      return [means, tf.reshape(tf.div(tf.reshape(values, [-1]), divisor), ratio.shape) as T];
    });
    this.binMeans.dispose();
    // Kept, so that the means outlive an enclosing tf.tidy or gradient scope.
    this.binMeans = tf.keep(updated);
    return normalized;
  }

  /** The options and the current bin means (read back from the backend without blocking). */
  async getState(): Promise<RatioNormalizerState> {
    return {
      binCount: this.binCount,
      binSpacing: this.binSpacing,
      sigmaMin: this.sigmaMin,
      sigmaMax: this.sigmaMax,
      emaRate: this.emaRate,
      binMeans: Array.from(await this.binMeans.data()),
    };
  }

  /**
   * Restores bin means saved by `getState()`; the bin layout must match this normalizer's (a
   * state without `binSpacing` is linear).
   */
  setState(state: RatioNormalizerState): void {
    const spacing = state?.binSpacing ?? 'linear';
    if (spacing !== this.binSpacing) {
      throw new RangeError(
        `RatioNormalizer.setState(state): state.binSpacing is ${describeValue(spacing)}, this normalizer has ${this.binSpacing}`,
      );
    }
    for (const key of ['binCount', 'sigmaMin', 'sigmaMax'] as const) {
      if (state?.[key] !== this[key]) {
        throw new RangeError(
          `RatioNormalizer.setState(state): state.${key} is ${describeValue(state?.[key])}, this normalizer has ${this[key]}`,
        );
      }
    }
    const means = state.binMeans;
    if (!Array.isArray(means) || means.length !== this.binCount) {
      throw new RangeError(
        `RatioNormalizer.setState(state): state.binMeans must be ${this.binCount} numbers, got ${describeValue(means)}`,
      );
    }
    if (means.some((mean) => !Number.isFinite(mean) || mean <= 0)) {
      throw new RangeError(
        'RatioNormalizer.setState(state): every state.binMeans entry must be a finite number > 0',
      );
    }
    this.binMeans.dispose();
    this.binMeans = tf.keep(tf.tensor1d(means, 'float32'));
  }

  /** Frees the bin means. */
  dispose(): void {
    this.binMeans.dispose();
  }
}
