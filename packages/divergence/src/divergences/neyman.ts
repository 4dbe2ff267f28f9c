import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from '../define-divergence.js';

/** Neyman chi-squared, `f(r) = (1 - r)^2 / r`, `h = 2 / r`. */
export const neyman = defineDivergence({
  name: 'neyman',
  label: 'Neyman chi^2',
  f: (r) => ((1 - r) * (1 - r)) / r,
  fPrime: (r) => 1 - 1 / (r * r),
  fSecond: (r) => 2 / (r * r * r),
  h: (r) => 2 / r,
  hTensor: (r) => tf.div(2, r),
  weightingExponents: { atZero: -1, atInfinity: -1 },
});
