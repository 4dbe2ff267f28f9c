import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { UNetConfig } from '@fdistill/score';
import type { DataSource } from '@fdistill/trainer';
import { idxImageSource, readIdxFile } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from './run-config.js';

/** Where Debian's dataset-fashion-mnist puts the IDX files. */
export const FASHION_MNIST_PATH = '/usr/share/datasets/fashion-mnist';

/** The Fashion-MNIST files, as Debian's dataset-fashion-mnist names them. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** The ten Fashion-MNIST classes, by label (kept in @fdistill/eval, shared with the demo). */
export { FASHION_MNIST_CLASSES } from '@fdistill/eval';

/** Side of the dataset's images. */
export const FASHION_MNIST_SIZE = 28;

/** The networks see the 28x28 images centred on a 32x32 background (resolutions 32, 16, 8). */
export const FASHION_MNIST_PADDED_SIZE = 32;

/**
 * The preset's teacher: a class-conditional EDM U-Net (null label 10 for guidance), base 16
 * channels, multipliers [1, 2, 2] (32, 16, 8), one residual block per level, no attention:
 * 184,801 parameters, about 0.75 s per batch-32 DSM step on tfjs wasm with the project's kernels.
 */
export const FASHION_MNIST_TEACHER_NETWORK: UNetConfig = {
  imageSize: FASHION_MNIST_PADDED_SIZE,
  channels: 1,
  baseChannels: 16,
  channelMultipliers: [1, 2, 2],
  blocksPerResolution: 1,
  attentionResolutions: [],
  groupNormGroups: 4,
  classCount: 10,
  embeddingSize: 32,
  seed: 1,
};

/**
 * The image and label files of one Fashion-MNIST split in `dataPath`; a missing file stops with
 * a `ConfigError` that names it and how to install it (nothing is read).
 *
 * @example const { imagesPath } = fashionMnistFiles('/usr/share/datasets/fashion-mnist', 'test');
 */
export function fashionMnistFiles(
  dataPath: string,
  split: 'train' | 'test',
): { imagesPath: string; labelsPath: string } {
  const images =
    split === 'train' ? FASHION_MNIST_FILES.trainImages : FASHION_MNIST_FILES.testImages;
  const labels =
    split === 'train' ? FASHION_MNIST_FILES.trainLabels : FASHION_MNIST_FILES.testLabels;
  for (const file of [images, labels]) {
    if (!existsSync(join(dataPath, file))) {
      throw new ConfigError(
        `dataPath ${dataPath} has no ${file}: apt-get install dataset-fashion-mnist, or set dataPath to a folder with the Fashion-MNIST IDX files`,
      );
    }
  }
  return { imagesPath: join(dataPath, images), labelsPath: join(dataPath, labels) };
}

/**
 * Reads one split's IDX files and checks them (IDX format, images [N, 28, 28], N labels), so a
 * run stops on bad data before it writes anything: a `ConfigError` naming the file and what is
 * wrong.
 *
 * @example checkFashionMnistFiles('/usr/share/datasets/fashion-mnist', 'train');
 */
export function checkFashionMnistFiles(dataPath: string, split: 'train' | 'test'): void {
  const { imagesPath, labelsPath } = fashionMnistFiles(dataPath, split);
  const read = (path: string) => {
    try {
      return readIdxFile(path);
    } catch (error) {
      throw new ConfigError(`dataPath: ${(error as Error).message.replace(/^readIdxFile: /, '')}`);
    }
  };
  const images = read(imagesPath).shape;
  const labels = read(labelsPath).shape;
  const size = FASHION_MNIST_SIZE;
  if (images.length !== 3 || images[1] !== size || images[2] !== size) {
    throw new ConfigError(
      `dataPath: ${imagesPath} holds shape [${images}], expected [N, ${size}, ${size}] images`,
    );
  }
  if (labels.length !== 1 || labels[0] !== images[0]) {
    throw new ConfigError(
      `dataPath: ${labelsPath} holds shape [${labels}], expected [${images[0]}] labels (one per image)`,
    );
  }
}

/**
 * One split of Fashion-MNIST from `dataPath` (60,000 training or 10,000 test images in [-1, 1],
 * labelled, padded to 32x32 unless `padTo` says otherwise); a missing file stops with a
 * `ConfigError` that names it and how to install it.
 *
 * @example const source = fashionMnistSource('/usr/share/datasets/fashion-mnist', 'train');
 */
export function fashionMnistSource(
  dataPath: string,
  split: 'train' | 'test',
  options: { limit?: number; padTo?: number } = {},
): DataSource {
  return idxImageSource({
    ...fashionMnistFiles(dataPath, split),
    padTo: options.padTo ?? FASHION_MNIST_PADDED_SIZE,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
}

/**
 * The dataset's own 28x28 crop of padded network images [N, S, S, C] (the centre, where
 * `fashionMnistSource` put the data).
 *
 * @example cropToDataset(samples); // [N, 32, 32, 1] -> [N, 28, 28, 1]
 */
export function cropToDataset(images: tf.Tensor4D): tf.Tensor4D {
  const [, size, , channels] = images.shape;
  const offset = (size - FASHION_MNIST_SIZE) / 2;
  return tf.slice(
    images,
    [0, offset, offset, 0],
    [-1, FASHION_MNIST_SIZE, FASHION_MNIST_SIZE, channels],
  );
}
