import { assertFiniteNumber } from './validation.js';

/**
 * A seeded uniform random generator on [0, 1) (Mulberry32: 32-bit state, fast, and good enough
 * for picking subsets). The same seed gives the same sequence on every platform.
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

/**
 * Moves a uniformly random `count`-subset of `indices` to its front (a partial Fisher-Yates
 * shuffle, in place) and returns that front as a view.
 *
 * @example randomSubset(Uint32Array.from([0, 1, 2, 3]), 2, seededUniform(1)) // e.g. [3, 0]
 */
export function randomSubset(
  indices: Uint32Array,
  count: number,
  uniform: () => number,
): Uint32Array {
  for (let position = 0; position < count; position++) {
    const pick = position + Math.floor(uniform() * (indices.length - position));
    const value = indices[position] as number;
    indices[position] = indices[pick] as number;
    indices[pick] = value;
  }
  return indices.subarray(0, count);
}
