import * as tf from '@tensorflow/tfjs-core';
import type { DataSource } from '../data/data-source.js';
import { tensorSource } from '../data/tensor-source.js';
import { readIdxFile } from './idx-file.js';

/** Options of `idxImageSource`. */
export interface IdxImageSourceOptions {
  /** IDX file of uint8 images [count, height, width] (or [count, height, width, channels]). */
  imagesPath: string;
  /** IDX file of uint8 labels [count], optional. */
  labelsPath?: string;
  /** Use only the first `limit` images. */
  limit?: number;
  /**
   * Pad each image with the background level -1 to `padTo` x `padTo`, centred (e.g. 28 -> 32, so
   * that a U-Net's resolutions halve down to 8); default no padding.
   */
  padTo?: number;
}

/**
 * Images from IDX files (MNIST, Fashion-MNIST; `.gz` too), scaled from [0, 255] to [-1, 1] as
 * NHWC float32, with labels when a labels file is given (classes = max label + 1).
 *
 * @example
 * const source = idxImageSource({
 *   imagesPath: '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz',
 *   labelsPath: '/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz',
 * });
 */
export function idxImageSource(options: IdxImageSourceOptions): DataSource {
  const images = readIdxFile(options.imagesPath);
  if (
    !(images.data instanceof Uint8Array) ||
    (images.shape.length !== 3 && images.shape.length !== 4)
  ) {
    throw new Error(
      `idxImageSource: ${options.imagesPath} must hold uint8 images [count, height, width(, channels)], got shape [${images.shape}]`,
    );
  }
  const total = images.shape[0] as number;
  const count = options.limit === undefined ? total : Math.min(total, options.limit);
  if (!(count >= 1))
    throw new RangeError(`idxImageSource: options.limit must be >= 1, got ${options.limit}`);
  const [height, width, channels] = (
    images.shape.length === 3 ? [...images.shape.slice(1), 1] : images.shape.slice(1)
  ) as [number, number, number];
  const { padTo } = options;
  if (padTo !== undefined && !(Number.isInteger(padTo) && padTo >= height && padTo >= width)) {
    throw new RangeError(
      `idxImageSource: options.padTo must be an integer >= the image size ${height}x${width}, got ${padTo}`,
    );
  }
  const outputHeight = padTo ?? height;
  const outputWidth = padTo ?? width;
  const top = Math.floor((outputHeight - height) / 2);
  const left = Math.floor((outputWidth - width) / 2);
  const pixels = new Float32Array(count * outputHeight * outputWidth * channels).fill(-1);
  const rowLength = width * channels;
  for (let image = 0; image < count; image++) {
    for (let row = 0; row < height; row++) {
      const from = (image * height + row) * rowLength;
      const to = ((image * outputHeight + row + top) * outputWidth + left) * channels;
      for (let offset = 0; offset < rowLength; offset++)
        pixels[to + offset] = (images.data[from + offset] as number) / 127.5 - 1;
    }
  }
  const x = tf.tensor(pixels, [count, outputHeight, outputWidth, channels]);
  if (options.labelsPath === undefined) return tensorSource(x);
  const labels = readIdxFile(options.labelsPath);
  if (labels.shape.length !== 1 || (labels.shape[0] as number) < count) {
    throw new Error(
      `idxImageSource: ${options.labelsPath} must hold at least ${count} labels, got shape [${labels.shape}]`,
    );
  }
  const labelValues = Int32Array.from(labels.data.subarray(0, count));
  const classCount = labelValues.reduce((maximum, label) => Math.max(maximum, label), 0) + 1;
  return tensorSource(x, tf.tensor1d(labelValues, 'int32'), classCount);
}
