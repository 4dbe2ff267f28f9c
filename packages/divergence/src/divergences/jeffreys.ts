import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from '../define-divergence.js';

/** Jeffreys (forward plus reverse KL), `f(r) = (r - 1) ln r`, `h = r + 1`. */
export const jeffreys = defineDivergence({
  name: 'jeffreys',
  label: 'Jeffreys',
  f: (r) => (r - 1) * Math.log(r),
  fPrime: (r) => Math.log(r) + 1 - 1 / r,
  fSecond: (r) => 1 / r + 1 / (r * r),
  h: (r) => r + 1,
  hTensor: (r) => tf.add(r, 1),
  weightingExponents: { atZero: 0, atInfinity: 1 },
});
