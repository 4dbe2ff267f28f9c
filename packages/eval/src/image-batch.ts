import { type ArrayInput, assertAllFinite, readArrayInput } from './array-input.js';

/** Axis order of an image batch: `NHWC` (tfjs, this package's default) or `NCHW` (PyTorch). */
export type ImageLayout = 'NHWC' | 'NCHW';

/** A validated batch of images, read in place. */
export interface ImageBatch {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly layout: ImageLayout;
  readonly data: ArrayLike<number>;
}

/**
 * Validates a rank-4 batch of images with 1 or 3 channels in the given layout, with finite values.
 *
 * @example readImageBatch('images', { data: new Float32Array(2 * 8 * 8 * 3), shape: [2, 8, 8, 3] }).count // 2
 */
export function readImageBatch(
  argument: string,
  input: ArrayInput,
  layout: ImageLayout = 'NHWC',
): ImageBatch {
  if (layout !== 'NHWC' && layout !== 'NCHW') {
    throw new RangeError(
      `${argument}: layout must be 'NHWC' or 'NCHW', got ${JSON.stringify(layout)}`,
    );
  }
  const values = readArrayInput(argument, input);
  const { shape } = values;
  if (shape.length !== 4) {
    throw new RangeError(
      `${argument} must be a rank-4 image batch (${layout}), got shape [${shape.join(', ')}]`,
    );
  }
  const [count, first, second, third] = shape as [number, number, number, number];
  const [height, width, channels] =
    layout === 'NHWC' ? [first, second, third] : [second, third, first];
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(
      `${argument} must have 1 or 3 channels (${layout}, shape [${shape.join(', ')}]), got ${channels}`,
    );
  }
  if (count < 1 || height < 1 || width < 1) {
    throw new RangeError(
      `${argument} must hold at least one non-empty image, got shape [${shape.join(', ')}]`,
    );
  }
  assertAllFinite(argument, values);
  return { count, height, width, channels, layout, data: values.data };
}

/**
 * The value of image `n` at row `y`, column `x`, channel `c`, whatever the layout.
 *
 * @example pixelValue(readImageBatch('images', images), 0, 0, 0, 2) // blue of the first pixel
 */
export function pixelValue(batch: ImageBatch, n: number, y: number, x: number, c: number): number {
  const { height, width, channels } = batch;
  const index =
    batch.layout === 'NHWC'
      ? ((n * height + y) * width + x) * channels + c
      : ((n * channels + c) * height + y) * width + x;
  return batch.data[index] as number;
}

/**
 * A value in [-1, 1] as an 8-bit level, the way EDM saves samples:
 * `clip(floor(value * 127.5 + 128), 0, 255)`.
 *
 * @example pixelLevel(-1) // 0; pixelLevel(0) // 128; pixelLevel(1) // 255
 */
export function pixelLevel(value: number): number {
  return Math.min(255, Math.max(0, Math.floor(value * 127.5 + 128)));
}
