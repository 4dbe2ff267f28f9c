import * as tf from '@tensorflow/tfjs-core';
import type { DataSource } from './data-source.js';
import { readIdxFile } from './idx-file.js';
import { tensorSource } from './tensor-source.js';

/** Options of `idxImageSource`. */
export interface IdxImageSourceOptions {
  /** IDX file of uint8 images [count, height, width] (or [count, height, width, channels]). */
  imagesPath: string;
  /** IDX file of uint8 labels [count], optional. */
  labelsPath?: string;
  /** Use only the first `limit` images. */
  limit?: number;
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
  const sampleShape =
    images.shape.length === 3 ? [...images.shape.slice(1), 1] : images.shape.slice(1);
  const sampleSize = sampleShape.reduce((product, size) => product * size, 1);
  const pixels = new Float32Array(count * sampleSize);
  for (let index = 0; index < pixels.length; index++)
    pixels[index] = (images.data[index] as number) / 127.5 - 1;
  const x = tf.tensor(pixels, [count, ...sampleShape]);
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
