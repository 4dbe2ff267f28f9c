import type { ArrayInput } from './array-input.js';
import { type ImageLayout, pixelLevel, pixelValue, readImageBatch } from './image-batch.js';
import { parseColor } from './plot-scene.js';
import { RasterImage } from './raster-image.js';
import { assertIntegerAtLeast } from './validation.js';

/** Options of `sampleGridPng`. */
export interface SampleGridOptions {
  /** Images per row; default `ceil(sqrt(count))`. */
  columns?: number;
  /** Pixels between images and around the grid; default 2. */
  padding?: number;
  /** Whole-number upscaling (nearest neighbour), for small images; default 1. */
  scale?: number;
  /** Colour of the padding; default `'#000000'`. */
  background?: string;
  /** Axis order of the images; default `'NHWC'`. */
  layout?: ImageLayout;
}

/**
 * A grid of sample images as PNG bytes (pngjs). Images are a rank-4 tensor or `{ data, shape }`
 * (NHWC by default) with 1 or 3 channels and values in [-1, 1], turned into 8-bit levels as EDM
 * saves them (`clip(floor(x * 127.5 + 128), 0, 255)`); grey images stay grey.
 *
 * @example
 * const png = sampleGridPng(generator.predict(noise), { columns: 8, scale: 2 });
 * await writeFileAtomic('runs/cifar/samples.png', png);
 */
export function sampleGridPng(images: ArrayInput, options: SampleGridOptions = {}): Uint8Array {
  const batch = readImageBatch('sampleGridPng(images): images', images, options.layout ?? 'NHWC');
  const columns = options.columns ?? Math.ceil(Math.sqrt(batch.count));
  const padding = options.padding ?? 2;
  const scale = options.scale ?? 1;
  assertIntegerAtLeast('sampleGridPng: options.columns', columns, 1);
  assertIntegerAtLeast('sampleGridPng: options.padding', padding, 0);
  assertIntegerAtLeast('sampleGridPng: options.scale', scale, 1);
  const background = parseColor(
    'sampleGridPng: options.background',
    options.background ?? '#000000',
  );
  const rows = Math.ceil(batch.count / columns);
  const cellWidth = batch.width * scale;
  const cellHeight = batch.height * scale;
  const image = new RasterImage(
    columns * cellWidth + (columns + 1) * padding,
    rows * cellHeight + (rows + 1) * padding,
    background,
  );
  for (let n = 0; n < batch.count; n++) {
    const left = padding + (n % columns) * (cellWidth + padding);
    const top = padding + Math.floor(n / columns) * (cellHeight + padding);
    for (let y = 0; y < cellHeight; y++) {
      for (let x = 0; x < cellWidth; x++) {
        const at = ((top + y) * image.width + left + x) * 4;
        for (let c = 0; c < 3; c++) {
          const channel = batch.channels === 1 ? 0 : c;
          image.pixels[at + c] = pixelLevel(
            pixelValue(batch, n, Math.floor(y / scale), Math.floor(x / scale), channel),
          );
        }
      }
    }
  }
  return image.toPng();
}
