import { assertFiniteNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from './define-divergence.js';
import type { Divergence } from './divergence.js';

/**
 * The alpha family `f(r) = (r^a - a r - (1 - a)) / (a (a - 1))`, `h = r^a`: a dial from mode
 * seeking to mode covering. a = 0 and a = 1 are the limits `r - 1 - ln r` (reverse-KL plus a
 * linear term) and `r ln r - r + 1` (forward-KL plus a linear term); a = 1/2 is 2 (sqrt(r) - 1)^2.
 *
 * @example
 * const halfway = alphaDivergence(0.5);
 * halfway.h(4); // 2
 * halfway.modeSeeking; // 'medium'
 */
export function alphaDivergence(alpha: number): Divergence {
  assertFiniteNumber('alphaDivergence(alpha): alpha', alpha);
  const a = alpha;
  // r^(a-1) - 1 and r^a - 1 through expm1, so that f and f' are accurate near r = 1.
  const powerMinusOne = (r: number, exponent: number) => Math.expm1(exponent * Math.log(r));
  const f =
    a === 0
      ? (r: number) => r - 1 - Math.log(r)
      : a === 1
        ? (r: number) => r * Math.log(r) - r + 1
        : (r: number) => (powerMinusOne(r, a) - a * (r - 1)) / (a * (a - 1));
  const fPrime =
    a === 1 ? (r: number) => Math.log(r) : (r: number) => powerMinusOne(r, a - 1) / (a - 1);
  return defineDivergence({
    name: `alpha(${a})`,
    label: `alpha = ${a}`,
    f,
    fPrime,
    fSecond: (r) => r ** (a - 2),
    h: (r) => r ** a,
    hTensor: (r) => (a === 0 ? tf.onesLike(r) : tf.exp(tf.mul(tf.log(r), a))),
    weightingExponents: { atZero: a, atInfinity: a },
  });
}
