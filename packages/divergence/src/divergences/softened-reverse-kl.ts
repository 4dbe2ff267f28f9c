import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from '../define-divergence.js';

/** Softened reverse-KL, `f(r) = (r + 1) ln((r + 1) / (2r))`, `h = 1 / (r + 1)`. */
export const softenedReverseKl = defineDivergence({
  name: 'softened-rkl',
  label: 'softened RKL',
  // ln((r + 1) / (2r)) = log1p((1 - r) / (2r)): exact at r = 1.
  f: (r) => (r + 1) * Math.log1p((1 - r) / (2 * r)),
  fPrime: (r) => Math.log1p((1 - r) / (2 * r)) - 1 / r,
  fSecond: (r) => 1 / (r * r * (r + 1)),
  h: (r) => 1 / (r + 1),
  hTensor: (r) => tf.reciprocal(tf.add(r, 1)),
  weightingExponents: { atZero: 0, atInfinity: -1 },
});
