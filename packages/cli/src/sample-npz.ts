import { encodeNpz } from '@fdistill/eval';
import { toPixelLevels } from './pixel-levels.js';

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
    samples: { data: Float64Array.from(toPixelLevels(values)), shape, dtype: 'uint8' },
    labels: { data: Float64Array.from(labels), shape: [labels.length], dtype: 'int64' },
  });
}
