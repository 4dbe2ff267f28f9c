import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from '../define-divergence.js';

/** Squared Hellinger, `f(r) = 1 - sqrt(r)`, `h = sqrt(r) / 4`. */
export const squaredHellinger = defineDivergence({
  name: 'squared-hellinger',
  label: 'squared Hellinger',
  f: (r) => 1 - Math.sqrt(r),
  fPrime: (r) => -0.5 / Math.sqrt(r),
  fSecond: (r) => 0.25 / (r * Math.sqrt(r)),
  h: (r) => 0.25 * Math.sqrt(r),
  hTensor: (r) => tf.mul(tf.sqrt(r), 0.25),
  weightingExponents: { atZero: 0.5, atInfinity: 0.5 },
});
