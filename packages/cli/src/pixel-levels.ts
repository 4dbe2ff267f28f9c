/**
 * Images in [-1, 1] as 8-bit pixel levels, the way EDM saves samples:
 * `clip(floor(x * 127.5 + 128), 0, 255)`.
 *
 * @example toPixelLevels(Float32Array.of(-1, 0, 1)); // Uint8Array [0, 128, 255]
 */
export function toPixelLevels(values: Float32Array): Uint8Array {
  return Uint8Array.from(values, (value) =>
    Math.min(255, Math.max(0, Math.floor(value * 127.5 + 128))),
  );
}

/**
 * 8-bit pixel levels back to [-1, 1] (`level / 127.5 - 1`, as the data sources read PNG and IDX
 * pixels), so generated samples are scored exactly as a saved file of them would be.
 *
 * @example fromPixelLevels(Uint8Array.of(0, 255)); // Float32Array [-1, 1]
 */
export function fromPixelLevels(levels: ArrayLike<number>): Float32Array {
  return Float32Array.from(levels, (level) => level / 127.5 - 1);
}
