import type { ModeSeeking, TailWeights, WeightingExponents } from './divergence.js';

/**
 * Mode-seeking class from the weighting exponents.
 *
 * `lim_{r->inf} f(r)/r` is finite exactly when f' stays bounded, i.e. when `h(r) = O(r^k)` with
 * k < 1 at infinity: such an f is mode seeking (Li & Farnia; paper App. C.1). Among those, a
 * weighting that vanishes at r -> 0 (left tail weight lighter than r^-2, paper Table 6) penalizes
 * dropped modes less: `'medium'` (JS, squared Hellinger); otherwise `'yes'` (reverse-KL).
 *
 * @example classifyModeSeeking({ atZero: 1, atInfinity: 0 }) // 'medium' (Jensen-Shannon)
 */
export function classifyModeSeeking(exponents: WeightingExponents): ModeSeeking {
  if (exponents.atInfinity >= 1) return 'no';
  return exponents.atZero > 0 ? 'medium' : 'yes';
}

/**
 * Whether f saturates: |f'| grows slower than 1/r as r -> 0 (h vanishes there) and stays bounded
 * as r -> inf (h grows slower than r), so that the gradient is small at both extremes (paper Fig. 4a).
 */
export function classifySaturation(exponents: WeightingExponents): boolean {
  return exponents.atZero > 0 && exponents.atInfinity < 1;
}

/** Tail weights of f'' = h / r^2 (paper Table 6) from the weighting exponents. */
export function tailWeightsFromExponents(exponents: WeightingExponents): TailWeights {
  return { right: exponents.atInfinity - 2, left: exponents.atZero - 2 };
}

/**
 * Estimates the power-law exponents of a weighting function from log-log slopes between
 * r = 1e8 and 1e12 (and 1e-12 and 1e-8), rounded to 3 decimals. A weighting that is 0 at both
 * points of an end gets +Infinity at 0 or -Infinity at infinity (faster than any power).
 *
 * @example estimateWeightingExponents((r) => r / (r + 1)) // { atZero: 1, atInfinity: 0 }
 */
export function estimateWeightingExponents(h: (r: number) => number): WeightingExponents {
  return {
    atZero: logLogSlope(h, 1e-12, 1e-8, Number.POSITIVE_INFINITY),
    atInfinity: logLogSlope(h, 1e8, 1e12, Number.NEGATIVE_INFINITY),
  };
}

function logLogSlope(
  h: (r: number) => number,
  low: number,
  high: number,
  whenZero: number,
): number {
  const atLow = h(low);
  const atHigh = h(high);
  if (atLow === 0 && atHigh === 0) return whenZero;
  const slope = (Math.log(atHigh) - Math.log(atLow)) / (Math.log(high) - Math.log(low));
  return Math.round(slope * 1000) / 1000 + 0;
}
