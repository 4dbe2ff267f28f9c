import type { Divergence } from './divergence.js';

/** Log densities of p and q at samples drawn from q (natural log). */
export interface LogDensitySamples {
  logP: ArrayLike<number>;
  logQ: ArrayLike<number>;
}

/** A Monte-Carlo estimate with its standard error. */
export interface DivergenceEstimate {
  estimate: number;
  standardError: number;
  count: number;
}

/**
 * Monte-Carlo estimate of `D_f(p || q) = E_q[f(p / q)]` from the log densities of p and q at
 * samples of q: the mean of `f(exp(logP - logQ))` and its standard error. Log ratios are clamped
 * to [-700, 700] so that r stays a positive finite double.
 *
 * @example
 * // samples x ~ q = N(0, 1), p = N(1, 1): forward-KL = KL(p || q) = 0.5
 * estimateDivergence(getDivergence('forward-kl'), { logP: xs.map(logNormal(1)), logQ: xs.map(logNormal(0)) });
 */
export function estimateDivergence(
  divergence: Divergence,
  samples: LogDensitySamples,
): DivergenceEstimate {
  if (typeof divergence?.f !== 'function') {
    throw new TypeError('estimateDivergence(divergence, samples): divergence must be a Divergence');
  }
  const { logP, logQ } = samples ?? {};
  if (logP?.length === undefined || logQ?.length === undefined) {
    throw new TypeError(
      'estimateDivergence: samples must be { logP, logQ }, two arrays of numbers',
    );
  }
  if (logP.length !== logQ.length || logP.length < 2) {
    throw new RangeError(
      `estimateDivergence: samples.logP and samples.logQ must have the same length >= 2, got ${logP.length} and ${logQ.length}`,
    );
  }
  const count = logP.length;
  let sum = 0;
  let sumOfSquares = 0;
  for (let i = 0; i < count; i++) {
    const logRatio = (logP[i] as number) - (logQ[i] as number);
    if (Number.isNaN(logRatio)) {
      throw new RangeError(`estimateDivergence: samples.logP[${i}] - samples.logQ[${i}] is NaN`);
    }
    const value = divergence.f(Math.exp(Math.min(Math.max(logRatio, -700), 700)));
    sum += value;
    sumOfSquares += value * value;
  }
  const estimate = sum / count;
  const variance = Math.max(0, (sumOfSquares - count * estimate * estimate) / (count - 1));
  return { estimate, standardError: Math.sqrt(variance / count), count };
}
