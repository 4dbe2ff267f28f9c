import * as tf from '@tensorflow/tfjs-core';
import type { Divergence, WeightingExponents } from './divergence.js';
import { classifyModeSeeking, classifySaturation, tailWeightsFromExponents } from './tails.js';

/** Smallest and largest ratio that `hTensor` passes on to a weighting formula. */
export const TENSOR_RATIO_RANGE = { min: 1e-12, max: 1e12 } as const;

/** What it takes to define a divergence: scalar formulas, a tensor weighting, the exponents of h. */
export interface DivergenceDefinition {
  name: string;
  label: string;
  f(r: number): number;
  fPrime(r: number): number;
  fSecond(r: number): number;
  h(r: number): number;
  /** The weighting on a tensor of ratios already clamped to `TENSOR_RATIO_RANGE`. */
  hTensor(r: tf.Tensor): tf.Tensor;
  weightingExponents: WeightingExponents;
}

/**
 * Builds a frozen `Divergence` from its formulas: scalar inputs are checked (finite, > 0),
 * tensor inputs are clamped to `TENSOR_RATIO_RANGE` and computed in float32 inside `tf.tidy`,
 * and the mode-seeking class, saturation and tail weights are derived from the exponents of h.
 *
 * @example
 * const half = defineDivergence({ name: 'half-kl', label: 'half forward-KL',
 *   f: (r) => 0.5 * r * Math.log(r), fPrime: (r) => 0.5 * (Math.log(r) + 1),
 *   fSecond: (r) => 0.5 / r, h: (r) => 0.5 * r, hTensor: (r) => tf.mul(r, 0.5),
 *   weightingExponents: { atZero: 1, atInfinity: 1 } });
 */
export function defineDivergence(definition: DivergenceDefinition): Divergence {
  const { name } = definition;
  const checked =
    (method: string, formula: (r: number) => number) =>
    (r: number): number => {
      if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0) {
        throw new RangeError(
          `${name}.${method}(r): r must be a finite number > 0, got ${String(r)}`,
        );
      }
      return formula(r);
    };
  const exponents = Object.freeze({ ...definition.weightingExponents });
  return Object.freeze({
    name,
    label: definition.label,
    f: checked('f', definition.f),
    fPrime: checked('fPrime', definition.fPrime),
    fSecond: checked('fSecond', definition.fSecond),
    h: checked('h', definition.h),
    hTensor: (r: tf.Tensor) =>
      tf.tidy(() => {
        if (!(r instanceof tf.Tensor)) {
          throw new TypeError(`${name}.hTensor(r): r must be a tf.Tensor, got ${typeof r}`);
        }
        const clamped = tf.clipByValue(
          tf.cast(r, 'float32'),
          TENSOR_RATIO_RANGE.min,
          TENSOR_RATIO_RANGE.max,
        );
        return definition.hTensor(clamped);
      }),
    weightingExponents: exponents,
    tailWeights: Object.freeze(tailWeightsFromExponents(exponents)),
    modeSeeking: classifyModeSeeking(exponents),
    saturates: classifySaturation(exponents),
  });
}
