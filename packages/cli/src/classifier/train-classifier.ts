import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed } from '@fdistill/score';
import { AdamW } from '@fdistill/trainer';
import { readIdxFile } from '@fdistill/trainer/node';
import { seededUniform } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs';
import { FASHION_MNIST_FILES, FASHION_MNIST_PATH } from '../fashion-mnist.js';
import { ConfigError } from '../run-config.js';
import {
  FASHION_CLASSIFIER_CLASS_COUNT,
  FASHION_CLASSIFIER_IMAGE_SIZE,
  FashionClassifier,
} from './fashion-classifier.js';

/** The defaults of `trainFashionClassifier`. */
export const FASHION_CLASSIFIER_TRAINING_DEFAULTS = {
  dataPath: FASHION_MNIST_PATH,
  epochs: 5,
  batchSize: 128,
  learningRate: 2e-3,
  weightDecay: 1e-4,
  seed: 1,
} as const;

/** One optimization step, as `trainFashionClassifier` reports it. */
export interface FashionClassifierStepEvent {
  /** Steps done so far (1 after the first). */
  step: number;
  /** Steps the training will take in all. */
  totalSteps: number;
  /** The epoch of this step, from 0. */
  epoch: number;
  /** Mean cross-entropy of this step's batch. */
  loss: number;
  /** The learning rate of this step. */
  learningRate: number;
}

/** Options of `trainFashionClassifier`; every one has a default. */
export interface FashionClassifierTrainingOptions {
  /** Folder of the Fashion-MNIST IDX files (`.gz`); default Debian's `/usr/share/datasets/fashion-mnist`. */
  dataPath?: string;
  /** Passes over the training images; default 5. */
  epochs?: number;
  /** Images per step; default 128. */
  batchSize?: number;
  /** Peak AdamW learning rate (warm-up, then cosine decay); default 2e-3. */
  learningRate?: number;
  /** Decoupled AdamW weight decay; default 1e-4. */
  weightDecay?: number;
  /** Seed of the initialization and of the data order; default 1. */
  seed?: number;
  /**
   * Leave the first `heldOutImages` training images out of the training (default 0): the
   * evaluation's real-data floor reads the first N training images, so a classifier that holds
   * them out scores the floor on images it never saw.
   */
  heldOutImages?: number;
  /** Train on the first `trainingImageLimit` training images after the held-out ones only (default all). */
  trainingImageLimit?: number;
  /** Evaluate on the first `testImageLimit` test images only (default all 10,000). */
  testImageLimit?: number;
  /** Stop after this many steps (default: `epochs` full passes). */
  stepLimit?: number;
  /** Called after every step. */
  onStep?: (event: FashionClassifierStepEvent) => void;
}

/** What `trainFashionClassifier` returns. */
export interface FashionClassifierTrainingResult {
  /** The trained classifier (the caller disposes it). */
  classifier: FashionClassifier;
  /** Fraction of the test images classified correctly. */
  testAccuracy: number;
  /** Wall-clock seconds of the optimization (evaluation excluded). */
  trainSeconds: number;
  /** Optimization steps taken. */
  steps: number;
}

/** Labelled Fashion-MNIST images as read from the IDX files: uint8 pixels, one row per image. */
interface LabelledImages {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

const PIXELS_PER_IMAGE = FASHION_CLASSIFIER_IMAGE_SIZE * FASHION_CLASSIFIER_IMAGE_SIZE;

/** Images evaluated per batch. */
const EVALUATION_BATCH_SIZE = 500;

/**
 * Trains a `FashionClassifier` with AdamW on the Fashion-MNIST training images (shuffled every
 * epoch, full batches only, cross-entropy), then measures its accuracy on the test images.
 * Deterministic for a seed on a given backend: the initialization and every epoch's order derive
 * from it. The learning rate warms up linearly over the first 5% of the steps, then follows a
 * cosine down to 5% of its peak. Every step's tensors are freed.
 *
 * @example
 * const { classifier, testAccuracy } = trainFashionClassifier({ epochs: 5 });
 * console.log(`test accuracy ${testAccuracy}`); // about 0.91
 */
export function trainFashionClassifier(
  options: FashionClassifierTrainingOptions = {},
): FashionClassifierTrainingResult {
  const defaults = FASHION_CLASSIFIER_TRAINING_DEFAULTS;
  const dataPath = options.dataPath ?? defaults.dataPath;
  const epochs = options.epochs ?? defaults.epochs;
  const batchSize = options.batchSize ?? defaults.batchSize;
  const peakLearningRate = options.learningRate ?? defaults.learningRate;
  const weightDecay = options.weightDecay ?? defaults.weightDecay;
  const seed = options.seed ?? defaults.seed;
  assertPositiveInteger('epochs', epochs);
  assertPositiveInteger('batchSize', batchSize);
  if (options.stepLimit !== undefined) assertPositiveInteger('stepLimit', options.stepLimit);
  const heldOutImages = options.heldOutImages ?? 0;
  if (!Number.isInteger(heldOutImages) || heldOutImages < 0) {
    throw new RangeError(
      `trainFashionClassifier: options.heldOutImages must be an integer >= 0, got ${heldOutImages}`,
    );
  }

  const training = readLabelledImages(dataPath, 'train', {
    skip: heldOutImages,
    limit: options.trainingImageLimit,
  });
  const test = readLabelledImages(dataPath, 'test', { skip: 0, limit: options.testImageLimit });
  if (training.count < batchSize) {
    throw new RangeError(
      `trainFashionClassifier: ${training.count} training images are fewer than one batch of ${batchSize}`,
    );
  }
  const stepsPerEpoch = Math.floor(training.count / batchSize);
  const totalSteps = Math.min(
    epochs * stepsPerEpoch,
    options.stepLimit ?? Number.POSITIVE_INFINITY,
  );
  const warmupSteps = Math.max(1, Math.round(0.05 * totalSteps));

  const classifier = new FashionClassifier({ seed });
  // AdamW's constructor leaves its zerosLike temporaries behind (its moment variables keep the
  // data): the tidy frees them.
  const optimizers: AdamW[] = [];
  tf.tidy(() => {
    optimizers.push(
      new AdamW(classifier.namedParameters(), { learningRate: peakLearningRate, weightDecay }),
    );
  });
  const optimizer = optimizers[0] as AdamW;
  const parameters = classifier.parameters();
  const batchPixels = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const batchLabels = new Int32Array(batchSize);
  const started = performance.now();
  let step = 0;
  try {
    for (let epoch = 0; step < totalSteps; epoch++) {
      const order = shuffledIndices(training.count, deriveSeed(seed, 1000 + epoch));
      for (let batch = 0; batch < stepsPerEpoch && step < totalSteps; batch++) {
        for (let row = 0; row < batchSize; row++) {
          const image = order[batch * batchSize + row] as number;
          copyImage(training, image, batchPixels, row);
          batchLabels[row] = training.labels[image] as number;
        }
        const learningRate = learningRateAt(step, totalSteps, warmupSteps, peakLearningRate);
        optimizer.learningRate = learningRate;
        const loss = tf.tidy(() => {
          const images = tf.tensor4d(batchPixels, [
            batchSize,
            FASHION_CLASSIFIER_IMAGE_SIZE,
            FASHION_CLASSIFIER_IMAGE_SIZE,
            1,
          ]);
          const targets = tf.oneHot(
            tf.tensor1d(batchLabels, 'int32'),
            FASHION_CLASSIFIER_CLASS_COUNT,
          );
          const { value, grads } = tf.variableGrads(
            () => crossEntropy(classifier.forward(images).logits, targets),
            parameters,
          );
          optimizer.applyGradients(grads);
          return value.dataSync()[0] as number;
        });
        step += 1;
        options.onStep?.({ step, totalSteps, epoch, loss, learningRate });
      }
    }
  } catch (error) {
    classifier.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const testAccuracy = classifierAccuracy(classifier, test);
  return { classifier, testAccuracy, trainSeconds, steps: step };
}

/**
 * The fraction of `images` that `classifier` labels correctly (arg-max of its logits), evaluated
 * in batches of 500.
 *
 */
function classifierAccuracy(classifier: FashionClassifier, images: LabelledImages): number {
  let correct = 0;
  for (let start = 0; start < images.count; start += EVALUATION_BATCH_SIZE) {
    const count = Math.min(EVALUATION_BATCH_SIZE, images.count - start);
    const pixels = new Float32Array(count * PIXELS_PER_IMAGE);
    for (let row = 0; row < count; row++) copyImage(images, start + row, pixels, row);
    const predictions = tf.tidy(() => {
      const batch = tf.tensor4d(pixels, [
        count,
        FASHION_CLASSIFIER_IMAGE_SIZE,
        FASHION_CLASSIFIER_IMAGE_SIZE,
        1,
      ]);
      return tf.argMax(classifier.forward(batch).logits, 1).dataSync();
    });
    for (let row = 0; row < count; row++) {
      if (predictions[row] === images.labels[start + row]) correct += 1;
    }
  }
  return correct / images.count;
}

/** Mean softmax cross-entropy of `logits` [batch, classes] against one-hot `targets`. */
function crossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** Linear warm-up to `peak`, then a cosine from `peak` down to 5% of it at the last step. */
function learningRateAt(step: number, totalSteps: number, warmupSteps: number, peak: number) {
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - 1 - warmupSteps);
  const floor = 0.05 * peak;
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

/** Writes image `image` of `source`, scaled to [-1, 1], as row `row` of `target`. */
function copyImage(source: LabelledImages, image: number, target: Float32Array, row: number) {
  const from = image * PIXELS_PER_IMAGE;
  const to = row * PIXELS_PER_IMAGE;
  for (let offset = 0; offset < PIXELS_PER_IMAGE; offset++) {
    target[to + offset] = (source.pixels[from + offset] as number) / 127.5 - 1;
  }
}

/** The indices 0 .. count - 1 in a seeded random order (Fisher-Yates with eval's `seededUniform`). */
function shuffledIndices(count: number, seed: number): Uint32Array {
  const indices = Uint32Array.from({ length: count }, (_, index) => index);
  const random = seededUniform(seed);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const swap = indices[index] as number;
    indices[index] = indices[other] as number;
    indices[other] = swap;
  }
  return indices;
}

/** The images and labels of one split after its first `skip`, the first `limit` of those when given. */
function readLabelledImages(
  dataPath: string,
  split: 'train' | 'test',
  { skip, limit }: { skip: number; limit: number | undefined },
): LabelledImages {
  const files =
    split === 'train'
      ? [FASHION_MNIST_FILES.trainImages, FASHION_MNIST_FILES.trainLabels]
      : [FASHION_MNIST_FILES.testImages, FASHION_MNIST_FILES.testLabels];
  for (const file of files) {
    if (!existsSync(join(dataPath, file))) {
      throw new ConfigError(
        `dataPath ${dataPath} has no ${file}: apt-get install dataset-fashion-mnist, or set dataPath to a folder with the Fashion-MNIST IDX files`,
      );
    }
  }
  const images = readIdxFile(join(dataPath, files[0] as string));
  const labels = readIdxFile(join(dataPath, files[1] as string));
  const size = FASHION_CLASSIFIER_IMAGE_SIZE;
  if (
    !(images.data instanceof Uint8Array) ||
    images.shape.length !== 3 ||
    images.shape[1] !== size ||
    images.shape[2] !== size
  ) {
    throw new Error(
      `trainFashionClassifier: ${files[0]} must hold uint8 images [count, ${size}, ${size}], got [${images.shape}]`,
    );
  }
  if (!(labels.data instanceof Uint8Array) || labels.shape[0] !== images.shape[0]) {
    throw new Error(
      `trainFashionClassifier: ${files[1]} must hold one uint8 label per image, got [${labels.shape}]`,
    );
  }
  if (limit !== undefined) assertPositiveInteger(`${split} image limit`, limit);
  const available = (images.shape[0] as number) - skip;
  if (available < 1) {
    throw new RangeError(
      `trainFashionClassifier: options.heldOutImages must leave training images, got ${skip} of ${images.shape[0]}`,
    );
  }
  const count = Math.min(available, limit ?? Number.POSITIVE_INFINITY);
  return {
    pixels: images.data.subarray(skip * PIXELS_PER_IMAGE, (skip + count) * PIXELS_PER_IMAGE),
    labels: labels.data.subarray(skip, skip + count),
    count,
  };
}

/** Throws a RangeError naming `options.<name>` unless `value` is an integer >= 1. */
function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `trainFashionClassifier: options.${name} must be an integer >= 1, got ${value}`,
    );
  }
}
