/**
 * Bilinear resize of one `height x width x channels` image (row-major, channels last) with half-
 * pixel centres: PyTorch's `F.interpolate(mode='bilinear', align_corners=False)` without
 * antialiasing (what pytorch-fid's Inception applies), equal to tfjs's
 * `resizeBilinear(..., halfPixelCenters = true)`. Sizes equal to the source return a copy.
 *
 * @example
 * resizeBilinear(Float32Array.of(0, 4), 1, 2, 1, 1, 4) // Float32Array [0, 1, 3, 4]
 */
export function resizeBilinear(
  source: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  targetHeight: number,
  targetWidth: number,
): Float32Array {
  const rows = samplingPositions(height, targetHeight);
  const columns = samplingPositions(width, targetWidth);
  const output = new Float32Array(targetHeight * targetWidth * channels);
  for (let y = 0; y < targetHeight; y++) {
    const top = rows.low[y] as number;
    const bottom = rows.high[y] as number;
    const vertical = rows.weight[y] as number;
    for (let x = 0; x < targetWidth; x++) {
      const left = columns.low[x] as number;
      const right = columns.high[x] as number;
      const horizontal = columns.weight[x] as number;
      for (let c = 0; c < channels; c++) {
        const at = (row: number, column: number) =>
          source[(row * width + column) * channels + c] as number;
        const upper = at(top, left) + (at(top, right) - at(top, left)) * horizontal;
        const lower = at(bottom, left) + (at(bottom, right) - at(bottom, left)) * horizontal;
        output[(y * targetWidth + x) * channels + c] = upper + (lower - upper) * vertical;
      }
    }
  }
  return output;
}

/** Source index pairs and weights along one axis (negative positions clamp to 0, as PyTorch). */
function samplingPositions(
  size: number,
  targetSize: number,
): { low: Int32Array; high: Int32Array; weight: Float64Array } {
  const low = new Int32Array(targetSize);
  const high = new Int32Array(targetSize);
  const weight = new Float64Array(targetSize);
  const scale = size / targetSize;
  for (let index = 0; index < targetSize; index++) {
    const position = Math.max(0, (index + 0.5) * scale - 0.5);
    const below = Math.min(Math.floor(position), size - 1);
    low[index] = below;
    high[index] = Math.min(below + 1, size - 1);
    weight[index] = position - below;
  }
  return { low, high, weight };
}
