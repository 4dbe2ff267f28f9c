import { fileURLToPath } from 'node:url';
import { type DomainMetrics, domainMetrics } from '@fdistill/eval';
import { createOnnxFeatureExtractor } from '@fdistill/eval/node';
import type { EdmNetwork, UNetDenoiser } from '@fdistill/score';
import type { Distiller } from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';
import {
  cropToDataset,
  FASHION_MNIST_PADDED_SIZE,
  FASHION_MNIST_SIZE,
  fashionMnistSource,
} from './fashion-mnist.js';
import { teacherSamplesFor } from './teacher-samples.js';

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

/** Runs images [N, 28, 28, 1] in [-1, 1] through the shipped classifier (onnxruntime-node). */
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

/** The classifier's features of the 10,000 Fashion-MNIST test images (the FID reference). */
export async function referenceFeatures(
  dataPath: string,
): Promise<{ data: Float32Array; shape: number[] }> {
  const source = fashionMnistSource(dataPath, 'test', { padTo: FASHION_MNIST_SIZE });
  const count = 10_000;
  const batch = source.sample(count, 1);
  const images = batch.x.dataSync() as Float32Array;
  tf.dispose([batch.x, batch.labels]);
  const { features } = await classifyImages(images, count);
  return { data: features, shape: [count, features.length / count] };
}

/** Balanced labels: sample i asks for class i mod 10. */
export function balancedLabels(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index % 10);
}

/**
 * One-step student samples for `labels`, in batches of 100, cropped to 28x28:
 * [N, 28, 28, 1] in [-1, 1].
 */
export function studentSamplesFor(
  distiller: Distiller,
  student: EdmNetwork,
  labels: readonly number[],
  seed: number,
): tf.Tensor4D {
  const chunks: tf.Tensor[] = [];
  for (let start = 0; start < labels.length; start += 100) {
    const size = Math.min(100, labels.length - start);
    chunks.push(
      tf.tidy(() => {
        const latent = tf.randomNormal(
          [size, FASHION_MNIST_PADDED_SIZE, FASHION_MNIST_PADDED_SIZE, 1],
          0,
          1,
          'float32',
          seed + start + 1,
        );
        const chunkLabels = tf.tensor1d(labels.slice(start, start + size), 'int32');
        const generated = distiller.generate(latent, chunkLabels, student);
        return cropToDataset(generated as tf.Tensor4D);
      }),
    );
  }
  const samples = tf.concat(chunks) as tf.Tensor4D;
  tf.dispose(chunks);
  return samples;
}

/** Teacher samples (35 NFE) for `labels`, 100 at a time to keep the wasm heap small. */
export function teacherSamplesInChunks(
  teacher: UNetDenoiser,
  labels: readonly number[],
  seed: number,
): { samples: tf.Tensor4D; seconds: number; networkEvaluations: number } {
  const chunks: tf.Tensor4D[] = [];
  let seconds = 0;
  let networkEvaluations = 0;
  for (let start = 0; start < labels.length; start += 100) {
    const part = teacherSamplesFor(teacher, labels.slice(start, start + 100), seed + start);
    chunks.push(part.samples);
    seconds += part.seconds;
    networkEvaluations = part.networkEvaluations;
  }
  const samples = tf.concat(chunks) as tf.Tensor4D;
  tf.dispose(chunks);
  return { samples, seconds, networkEvaluations };
}

/** What the evaluation of an image run measures, for the student and the teacher. */
export interface ImageEvaluation {
  student: DomainMetrics;
  teacher: DomainMetrics;
  /** Seconds per image of each sampler, measured here (tfjs). */
  studentSecondsPerImage: number;
  teacherSecondsPerImage: number;
  teacherNfe: number;
}

/** Classifier metrics of samples [N, 28, 28, 1] against the reference features. */
async function metricsOf(
  samples: tf.Tensor4D,
  labels: number[],
  reference: { data: Float32Array; shape: number[] },
): Promise<DomainMetrics> {
  const count = samples.shape[0];
  const outputs = await classifyImages(samples.dataSync() as Float32Array, count);
  const width = outputs.features.length / count;
  return domainMetrics({
    generatedFeatures: { data: outputs.features, shape: [count, width] },
    generatedLogits: { data: outputs.logits, shape: [count, outputs.logits.length / count] },
    referenceFeatures: reference,
    requestedLabels: labels,
  });
}

/**
 * Draws `count` one-step student samples and `count` 35-NFE teacher samples for the same
 * balanced labels, and measures both with the shipped classifier: domain-FID against the 10k
 * test images, precision/recall, the class histogram and the share classified as requested.
 *
 * @example const evaluation = await evaluateImageStudent(run.distiller, run.studentEma, run.teacher, 1000, 0, dataPath);
 */
export async function evaluateImageStudent(
  distiller: Distiller,
  student: EdmNetwork,
  teacher: UNetDenoiser,
  count: number,
  seed: number,
  dataPath: string,
): Promise<ImageEvaluation & { studentSamples: tf.Tensor4D; teacherSamples: tf.Tensor4D }> {
  const reference = await referenceFeatures(dataPath);
  const labels = balancedLabels(count);
  const studentStarted = performance.now();
  const studentSamples = studentSamplesFor(distiller, student, labels, seed);
  studentSamples.dataSync();
  const studentSecondsPerImage = (performance.now() - studentStarted) / 1000 / count;
  const teacherRun = teacherSamplesInChunks(teacher, labels, seed + 5);
  const teacherSamples = teacherRun.samples;
  return {
    student: await metricsOf(studentSamples, labels, reference),
    teacher: await metricsOf(teacherSamples, labels, reference),
    studentSecondsPerImage,
    teacherSecondsPerImage: teacherRun.seconds / count,
    teacherNfe: teacherRun.networkEvaluations,
    studentSamples,
    teacherSamples,
  };
}
