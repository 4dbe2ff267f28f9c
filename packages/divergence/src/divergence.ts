import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * How strongly minimizing `D_f(p || q)` over q drops modes of p (paper Table 1):
 * `'yes'` (reverse-KL), `'medium'` (Jensen-Shannon, squared Hellinger) or `'no'` (forward-KL).
 */
export type ModeSeeking = 'yes' | 'medium' | 'no';

/**
 * Power-law exponents of the weighting `h(r) ~ r^k` at the two ends of `(0, inf)`.
 * `atZero` is k as r -> 0, `atInfinity` is k as r -> inf.
 */
export interface WeightingExponents {
  readonly atZero: number;
  readonly atInfinity: number;
}

/**
 * Tail weights of f in the sense of Shannon et al. (paper Table 6): `f''(r) ~ r^k`,
 * `right` for r -> inf and `left` for r -> 0. They equal the weighting exponents minus 2.
 */
export interface TailWeights {
  readonly right: number;
  readonly left: number;
}

/**
 * An f-divergence `D_f(p || q) = E_q[f(p / q)]` with convex f, f(1) = 0, and the weighting
 * `h(r) = f''(r) r^2` that scales the teacher-minus-fake score difference in f-distill.
 * Scalar functions throw a RangeError for r that is not a finite positive number.
 */
export interface Divergence {
  /** Stable identifier, e.g. `'js'` or `'alpha(0.5)'`. */
  readonly name: string;
  /** Human-readable name, e.g. `'Jensen-Shannon'`. */
  readonly label: string;
  /** The generator f(r). */
  f(r: number): number;
  /** First derivative f'(r). */
  fPrime(r: number): number;
  /** Second derivative f''(r). */
  fSecond(r: number): number;
  /** Weighting h(r) = f''(r) r^2. */
  h(r: number): number;
  /**
   * Weighting applied elementwise to a tensor of ratios. Ratios are first clamped to
   * `[1e-12, 1e12]` so that the result is finite in float32 for every divergence.
   */
  hTensor(r: Tensor): Tensor;
  /** Power-law exponents of h at 0 and at infinity. */
  readonly weightingExponents: WeightingExponents;
  /** Tail weights of f'' (paper Table 6). */
  readonly tailWeights: TailWeights;
  /** Mode-seeking class, derived from the weighting exponents (see `classifyModeSeeking`). */
  readonly modeSeeking: ModeSeeking;
  /** Whether |f'| is small at both extremes of r (gradient saturation, paper Sec. 4). */
  readonly saturates: boolean;
}
