import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from '../define-divergence.js';

/** Reverse-KL, `f(r) = -ln r`, `h = 1`: the DMD / DMD2 objective, strongly mode seeking. */
export const reverseKl = defineDivergence({
  name: 'reverse-kl',
  label: 'reverse-KL',
  f: (r) => -Math.log(r),
  fPrime: (r) => -1 / r,
  fSecond: (r) => 1 / (r * r),
  h: () => 1,
  hTensor: (r) => tf.onesLike(r),
  weightingExponents: { atZero: 0, atInfinity: 0 },
});
