import { assertFiniteNumber } from './validation.js';

/**
 * A seeded uniform random generator on [0, 1) (Mulberry32: 32-bit state, fast, and good enough
 * for picking subsets and drawing test data). The same seed gives the same sequence on every
 * platform.
 *
 * @example const uniform = seededUniform(0); uniform(); // 0.2664...
 */
export function seededUniform(seed: number): () => number {
  assertFiniteNumber('seededUniform(seed): seed', seed);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
