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
