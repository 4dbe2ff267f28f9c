import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from '../define-divergence.js';

/** Jensen-Shannon, `f(r) = r ln r - (r + 1) ln((r + 1) / 2)`, `h = r / (r + 1)`. */
export const jensenShannon = defineDivergence({
  name: 'js',
  label: 'Jensen-Shannon',
  f: (r) => r * Math.log(r) - (r + 1) * Math.log1p((r - 1) / 2),
  // ln(2r / (r + 1)) = log1p((r - 1) / (r + 1)): exact at r = 1.
  fPrime: (r) => Math.log1p((r - 1) / (r + 1)),
  fSecond: (r) => 1 / (r * (r + 1)),
  h: (r) => r / (r + 1),
  // 1 - 1 / (1 + r) stays in [0, 1] for every float32 r.
  hTensor: (r) => tf.sub(1, tf.reciprocal(tf.add(r, 1))),
  weightingExponents: { atZero: 1, atInfinity: 0 },
});
