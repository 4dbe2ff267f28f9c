import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from '../define-divergence.js';

/** Pearson chi-squared, `f(r) = (r - 1)^2`, `h = 2 r^2`. */
export const pearson = defineDivergence({
  name: 'pearson',
  label: 'Pearson chi^2',
  f: (r) => (r - 1) * (r - 1),
  fPrime: (r) => 2 * (r - 1),
  fSecond: () => 2,
  h: (r) => 2 * r * r,
  hTensor: (r) => tf.mul(tf.square(r), 2),
  weightingExponents: { atZero: 2, atInfinity: 2 },
});
