import { assertFiniteNumber, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient.js';

/** Options of `densityRatioFromLogits`; the defaults are FastGen's. */
export interface DensityRatioOptions {
  /** Logits are clamped to `[-logitClamp, logitClamp]` before exp; default 10. */
  logitClamp?: number;
  /** Smallest ratio; default 0.1. */
  ratioMin?: number;
  /** Largest ratio; default 20. */
  ratioMax?: number;
}

/** FastGen's defaults: logit clamp 10, ratio clip [0.1, 20]. */
export const DEFAULT_DENSITY_RATIO_OPTIONS: Readonly<Required<DensityRatioOptions>> = Object.freeze(
  {
    logitClamp: 10,
    ratioMin: 0.1,
    ratioMax: 20,
  },
);

/**
 * The density ratio `r = p/q` from a discriminator logit that estimates `ln(p/q)`:
 * `clip(exp(clamp(logit, -c, c)), ratioMin, ratioMax)`. Numbers give numbers; a tensor gives a
 * float32 tensor with no gradient attached (it only weights the generator update).
 *
 * @example
 * densityRatioFromLogits([0, 1, 50]); // [1, 2.718..., 20]
 * densityRatioFromLogits(tf.tensor1d([-3])); // tensor [0.1]
 */
export function densityRatioFromLogits(logits: number, options?: DensityRatioOptions): number;
export function densityRatioFromLogits(logits: number[], options?: DensityRatioOptions): number[];
export function densityRatioFromLogits<T extends tf.Tensor>(
  logits: T,
  options?: DensityRatioOptions,
): T;
export function densityRatioFromLogits(
  logits: number | number[] | tf.Tensor,
  options: DensityRatioOptions = {},
): number | number[] | tf.Tensor {
  const { logitClamp, ratioMin, ratioMax } = { ...DEFAULT_DENSITY_RATIO_OPTIONS, ...options };
  assertPositiveNumber('densityRatioFromLogits: options.logitClamp', logitClamp);
  assertPositiveNumber('densityRatioFromLogits: options.ratioMin', ratioMin);
  assertFiniteNumber('densityRatioFromLogits: options.ratioMax', ratioMax);
  if (!(ratioMax > ratioMin)) {
    throw new RangeError(
      `densityRatioFromLogits: options.ratioMax must be > options.ratioMin (${ratioMin}), got ${ratioMax}`,
    );
  }
  const ratioOf = (logit: number) => {
    if (Number.isNaN(logit)) {
      throw new RangeError('densityRatioFromLogits(logits): a logit is NaN');
    }
    const clamped = Math.min(Math.max(logit, -logitClamp), logitClamp);
    return Math.min(Math.max(Math.exp(clamped), ratioMin), ratioMax);
  };
  if (typeof logits === 'number') return ratioOf(logits);
  if (Array.isArray(logits)) return logits.map(ratioOf);
  if (!(logits instanceof tf.Tensor)) {
    throw new TypeError(
      `densityRatioFromLogits(logits): logits must be a number, a number[] or a tf.Tensor, got ${typeof logits}`,
    );
  }
  return tf.tidy(() => {
    const clamped = tf.clipByValue(tf.cast(logits, 'float32'), -logitClamp, logitClamp);
    return stopGradient(tf.clipByValue(tf.exp(clamped), ratioMin, ratioMax));
  });
}
