import { fileURLToPath } from 'node:url';
import { type DomainMetrics, domainMetrics } from '@fdistill/eval';
import { createOnnxFeatureExtractor } from '@fdistill/eval/node';
import type { EdmNetwork, UNetDenoiser } from '@fdistill/score';
import type { Distiller } from '@fdistill/trainer';
import { readIdxFile } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { FASHION_MNIST_SIZE, fashionMnistFiles, fashionMnistSource } from './fashion-mnist.js';
import { balancedLabels, studentSamplesFor } from './image-samplers.js';
import { IMAGE_VALUES, type LabelledImages } from './labelled-images.js';
import { fromPixelLevels, toPixelLevels } from './pixel-levels.js';
import { cachedTeacherSamples } from './teacher-sample-cache.js';

/** The Fashion-MNIST classifier shipped with the CLI, as ONNX (see models/README.md). */
export const SHIPPED_FASHION_MNIST_CLASSIFIER = fileURLToPath(
  new URL('../models/fashion-mnist-classifier.onnx', import.meta.url),
);

/** Outputs of the domain classifier on a set of 28x28 images. */
export interface ClassifierOutputs {
  features: Float32Array;
  logits: Float32Array;
  count: number;
}

/** Features of the real reference set (the 10,000 test images) [M, d], and whose features they are. */
export interface ReferenceFeatures {
  data: Float32Array;
  shape: number[];
  /** The classifier (ONNX) that gave them: samples scored against them go through it too. */
  classifierPath: string;
}

/**
 * Runs images [N, 28, 28, 1] in [-1, 1] through a Fashion-MNIST classifier (onnxruntime-node;
 * default the shipped one): an ONNX file with input `images` [N, 28, 28, 1] and outputs
 * `features` [N, d] and `logits` [N, 10], as `models/README.md` describes.
 */
export async function classifyImages(
  images: Float32Array,
  count: number,
  modelPath = SHIPPED_FASHION_MNIST_CLASSIFIER,
): Promise<ClassifierOutputs> {
  const input = { data: images, shape: [count, FASHION_MNIST_SIZE, FASHION_MNIST_SIZE, 1] };
  const outputs: Float32Array[] = [];
  for (const outputName of ['features', 'logits']) {
    const extractor = await createOnnxFeatureExtractor({
      modelPath,
      inputName: 'images',
      outputName,
      batchSize: 500,
    });
    try {
      outputs.push(Float32Array.from((await extractor.extract(input)).data));
    } finally {
      await extractor.dispose();
    }
  }
  return { features: outputs[0] as Float32Array, logits: outputs[1] as Float32Array, count };
}

/**
 * Opens `modelPath` as a Fashion-MNIST classifier and closes it again: throws, naming the file,
 * unless it is an ONNX model with input `images` and outputs `features` and `logits`.
 *
 * @example await checkClassifierFile('held-out/fashion-mnist-classifier.onnx');
 */
export async function checkClassifierFile(modelPath: string): Promise<void> {
  for (const outputName of ['features', 'logits']) {
    const extractor = await createOnnxFeatureExtractor({
      modelPath,
      inputName: 'images',
      outputName,
    });
    await extractor.dispose();
  }
}

/**
 * A classifier's features of the 10,000 Fashion-MNIST test images (the FID reference); default
 * the shipped classifier.
 */
export async function referenceFeatures(
  dataPath: string,
  classifierPath = SHIPPED_FASHION_MNIST_CLASSIFIER,
): Promise<ReferenceFeatures> {
  const source = fashionMnistSource(dataPath, 'test', { padTo: FASHION_MNIST_SIZE });
  const count = 10_000;
  const batch = source.sample(count, 1);
  const images = (await batch.x.data()) as Float32Array;
  tf.dispose([batch.x, batch.labels]);
  const { features } = await classifyImages(images, count, classifierPath);
  return { data: features, shape: [count, features.length / count], classifierPath };
}

/**
 * The first `count` Fashion-MNIST training images with their labels: real data held out from
 * the test set, scored like generated samples to give the floor every FID is read against.
 *
 * @example const real = realDataImages('/usr/share/datasets/fashion-mnist', 2000);
 */
export function realDataImages(dataPath: string, count: number): LabelledImages {
  const { imagesPath, labelsPath } = fashionMnistFiles(dataPath, 'train');
  const images = readIdxFile(imagesPath);
  const labels = readIdxFile(labelsPath);
  if (!(Number.isInteger(count) && count >= 2 && count <= (labels.shape[0] as number))) {
    throw new RangeError(
      `realDataImages: count must be an integer in [2, ${labels.shape[0]}], got ${count}`,
    );
  }
  return {
    images: fromPixelLevels(images.data.subarray(0, count * IMAGE_VALUES)),
    count,
    labels: Array.from(labels.data.subarray(0, count)),
  };
}

/**
 * Domain-FID against the reference, precision/recall, the class histogram and (with labels) the
 * share classified as requested, of images [N, 28, 28, 1] in [-1, 1], through the reference's
 * classifier. The images are first rounded to 8-bit pixel levels, so samples score as a saved
 * file of them would.
 *
 * @example const metrics = await scoreImages(realDataImages(dataPath, 2000), await referenceFeatures(dataPath));
 */
export async function scoreImages(
  images: LabelledImages,
  reference: ReferenceFeatures,
): Promise<DomainMetrics> {
  const { count } = images;
  const levels = fromPixelLevels(toPixelLevels(images.images));
  const outputs = await classifyImages(levels, count, reference.classifierPath);
  return domainMetrics({
    generatedFeatures: { data: outputs.features, shape: [count, outputs.features.length / count] },
    generatedLogits: { data: outputs.logits, shape: [count, outputs.logits.length / count] },
    referenceFeatures: { data: reference.data, shape: reference.shape },
    ...(images.labels === undefined ? {} : { requestedLabels: images.labels }),
  });
}

/** What the evaluation of an image run measures: student, teacher and real data at the same N. */
export interface ImageEvaluation {
  student: DomainMetrics;
  teacher: DomainMetrics;
  /** N real training images against the same test set: the floor of every figure. */
  realData: DomainMetrics;
  /** Seconds per image of each sampler (tfjs; the teacher's when its samples were drawn). */
  studentSecondsPerImage: number;
  teacherSecondsPerImage: number;
  teacherNfe: number;
}

/**
 * Draws `count` one-step student samples for balanced labels, takes `count` 35-NFE teacher
 * samples for the same labels from the cache (drawing them, on `threads` threads, on the first
 * evaluation of this teacher), and measures both, and `count` real training images, with the
 * shipped classifier: domain-FID against the 10k test images, precision/recall, the class
 * histogram and the share classified as requested. `report` hears what is being drawn and how long is left.
 *
 * @example const evaluation = await evaluateImageStudent(run.distiller, run.studentEma, run.teacher, { count: 2000, seed: 0, dataPath });
 */
export async function evaluateImageStudent(
  distiller: Distiller,
  student: EdmNetwork,
  teacher: UNetDenoiser,
  options: {
    count: number;
    seed: number;
    dataPath: string;
    /** The teacher's classifier-free guidance scale; default 1 (none). */
    guidanceScale?: number;
    /** Threads that draw the teacher's samples when the cache lacks them; default 1. */
    threads?: number;
    report?: (line: string) => void;
  },
): Promise<ImageEvaluation & { studentSamples: tf.Tensor4D; teacherSamples: tf.Tensor4D }> {
  const { count, seed, dataPath, guidanceScale = 1, threads = 1, report = () => {} } = options;
  report('evaluation: classifier features of the 10,000 test images');
  const reference = await referenceFeatures(dataPath);
  const labels = balancedLabels(count);
  report(`evaluation: ${count} student samples (1 NFE)`);
  const studentStarted = performance.now();
  const studentSamples = studentSamplesFor(distiller, student, labels, seed);
  const studentValues = (await studentSamples.data()) as Float32Array;
  const studentSecondsPerImage = (performance.now() - studentStarted) / 1000 / count;
  const teacherRun = await cachedTeacherSamples(teacher, count, { guidanceScale, threads, report });
  report(`evaluation: scoring student, teacher and ${count} real training images`);
  const realData = await scoreImages(realDataImages(dataPath, count), reference);
  return {
    student: await scoreImages({ images: studentValues, count, labels }, reference),
    teacher: await scoreImages(teacherRun.samples, reference),
    realData,
    studentSecondsPerImage,
    teacherSecondsPerImage: teacherRun.secondsPerImage,
    teacherNfe: teacherRun.networkEvaluations,
    studentSamples,
    teacherSamples: tf.tensor4d(teacherRun.samples.images, [
      count,
      FASHION_MNIST_SIZE,
      FASHION_MNIST_SIZE,
      1,
    ]),
  };
}
