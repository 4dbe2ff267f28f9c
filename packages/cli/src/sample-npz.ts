import { encodeNpz } from '@fdistill/eval';

/** Pixel levels as EDM saves them: `clip(floor(x * 127.5 + 128), 0, 255)`. */
function toLevels(values: Float32Array): Float64Array {
  return Float64Array.from(values, (value) =>
    Math.min(255, Math.max(0, Math.floor(value * 127.5 + 128))),
  );
}

/**
 * Image samples in the field's `.npz` format, as the EDM, DMD2 and guided-diffusion evaluators
 * read them: `samples`, uint8 [N, H, W, C] from values in [-1, 1], and `labels`, int64 [N].
 *
 * @example writeFileSync('samples.npz', encodeSampleNpz(values, [4, 28, 28, 1], [0, 1, 2, 3]));
 */
export function encodeSampleNpz(
  values: Float32Array,
  shape: number[],
  labels: ArrayLike<number>,
): Uint8Array {
  return encodeNpz({
    samples: { data: toLevels(values), shape, dtype: 'uint8' },
    labels: { data: Float64Array.from(labels), shape: [labels.length], dtype: 'int64' },
  });
}
