import { assertFiniteNumber } from '@fdistill/utils';
import type { Divergence } from './divergence.js';
import { integratePanel } from './quadrature.js';

/** Largest |meanDistance| accepted by `normalizedVariance`. */
export const MAX_MEAN_DISTANCE = 10;

/**
 * The normalized variance `Var_q(h(r) / E_q h(r))` of the weighting (paper Fig. 5a) for two 1-D
 * unit Gaussians `p = N(m, 1)`, `q = N(0, 1)`, where `r(x) = exp(m x - m^2 / 2)`. Computed as
 * `E_q[h^2] / E_q[h]^2 - 1` by 20-point Gauss-Legendre panels of width 1/8 over x in [-38, 38]
 * (beyond which q underflows), which is accurate to about 1e-12 relative for the weightings here.
 * Closed forms: forward-KL `e^{m^2} - 1`, Jeffreys `(e^{m^2} - 1) / 4`, Hellinger `e^{m^2/4} - 1`.
 *
 * @example normalizedVariance(getDivergence('forward-kl'), 1) // e - 1 = 1.71828...
 */
export function normalizedVariance(divergence: Divergence, meanDistance: number): number {
  if (typeof divergence?.h !== 'function') {
    throw new TypeError(
      'normalizedVariance(divergence, meanDistance): divergence must be a Divergence',
    );
  }
  assertFiniteNumber('normalizedVariance: meanDistance', meanDistance);
  if (Math.abs(meanDistance) > MAX_MEAN_DISTANCE) {
    throw new RangeError(
      `normalizedVariance: meanDistance must be in [-${MAX_MEAN_DISTANCE}, ${MAX_MEAN_DISTANCE}], got ${meanDistance}`,
    );
  }
  const m = meanDistance;
  const logNormalizer = -0.5 * Math.log(2 * Math.PI);
  // h is evaluated at r = exp(log r); ratios that over- or underflow sit where q is ~0 anyway.
  const weightAt = (x: number) => {
    const logRatio = m * x - (m * m) / 2;
    const ratio = Math.min(Math.max(Math.exp(logRatio), Number.MIN_VALUE), Number.MAX_VALUE);
    return divergence.h(ratio);
  };
  const qDensity = (x: number) => Math.exp(logNormalizer - (x * x) / 2);
  let first = 0;
  let second = 0;
  const panelWidth = 0.125;
  for (let start = -38; start < 38; start += panelWidth) {
    first += integratePanel((x) => qDensity(x) * weightAt(x), start, start + panelWidth);
    second += integratePanel(
      (x) => {
        const density = qDensity(x);
        if (density === 0) return 0;
        const weight = weightAt(x);
        return density * weight * weight;
      },
      start,
      start + panelWidth,
    );
  }
  return Math.max(0, second / (first * first) - 1);
}
