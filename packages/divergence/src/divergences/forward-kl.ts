import { defineDivergence } from '../define-divergence.js';

/** Forward-KL, `f(r) = r ln r`, `h = r`: mode covering, with high-variance weights. */
export const forwardKl = defineDivergence({
  name: 'forward-kl',
  label: 'forward-KL',
  f: (r) => r * Math.log(r),
  fPrime: (r) => Math.log(r) + 1,
  fSecond: (r) => 1 / r,
  h: (r) => r,
  hTensor: (r) => r.clone(),
  weightingExponents: { atZero: 1, atInfinity: 1 },
});
