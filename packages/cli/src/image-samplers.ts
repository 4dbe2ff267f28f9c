import type { Denoiser, EdmNetwork, UNetDenoiser } from '@fdistill/score';
import { GuidedDenoiser, heunSampler, samplerNoise } from '@fdistill/score';
import type { Distiller } from '@fdistill/trainer';
import type { SamplerChunk } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { cropToDataset, FASHION_MNIST_PADDED_SIZE } from './fashion-mnist.js';
import { solveChunks } from './solve-chunks.js';

/** Images drawn per batch: keeps the wasm heap small. */
const CHUNK = 100;

/** Heun steps of the teacher's samples: 2 * 18 - 1 = 35 network evaluations. */
const TEACHER_HEUN_STEPS = 18;

/** Balanced labels: sample i asks for class i mod 10. */
export function balancedLabels(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index % 10);
}

/** `perClass` labels of each of `classCount` classes, class by class: [0, 0, ..., 1, 1, ...]. */
export function labelsByClass(classCount: number, perClass: number): number[] {
  return Array.from({ length: classCount * perClass }, (_, index) => Math.floor(index / perClass));
}

/**
 * The teacher as its sampler sees it: itself, or with classifier-free guidance at
 * `guidanceScale` (each evaluation then runs the network on the labels and on the null label).
 *
 * @example heunSampler(guidedTeacher(teacher, 1.5), { steps: 18, seed: 0, shape, labels });
 */
export function guidedTeacher(teacher: UNetDenoiser, guidanceScale = 1): Denoiser {
  return guidanceScale === 1 ? teacher : new GuidedDenoiser(teacher, guidanceScale);
}

/**
 * Class-conditional teacher samples for `labels`, by Heun with 18 steps (35 network
 * evaluations), with classifier-free guidance at `guidanceScale` (1: none), cropped back to the
 * dataset's 28x28. Returns the samples [N, 28, 28, 1] in [-1, 1] and the seconds it took.
 *
 * @example const { samples } = await teacherSamplesFor(teacher, [0, 0, 1, 1], 7);
 */
export async function teacherSamplesFor(
  teacher: UNetDenoiser,
  labels: readonly number[],
  seed: number,
  guidanceScale = 1,
): Promise<{ samples: tf.Tensor4D; seconds: number; networkEvaluations: number }> {
  const { imageSize, channels } = teacher.config;
  const started = performance.now();
  const labelTensor = tf.tensor1d([...labels], 'int32');
  const { samples, networkEvaluations } = heunSampler(guidedTeacher(teacher, guidanceScale), {
    steps: TEACHER_HEUN_STEPS,
    seed,
    shape: [labels.length, imageSize, imageSize, channels],
    labels: labelTensor,
  });
  const cropped = cropToDataset(samples as tf.Tensor4D);
  // Waits for the samples (without a synchronous read): the seconds are the sampling's.
  await cropped.data();
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([samples, labelTensor]);
  return { samples: cropped, seconds, networkEvaluations };
}

/**
 * Minutes and seconds, for an ETA.
 *
 * @example formatDuration(75.2) // '1m15s'
 */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/**
 * Teacher samples (Heun with `steps` steps, default 18: 35 NFE; guided at `guidanceScale`,
 * default 1: none) for `labels`, `chunkSize` (default 100, which keeps the wasm heap small) at a
 * time, `threads` batches at once (helper threads on the current backend; default 1). The batch
 * that starts at label i draws its noise from `seed + i` as `teacherSamplesFor` does,
 * so the samples are the same on any number of threads. `report` hears how many are drawn and
 * the time left after each round. Returns the samples [N, 28, 28, 1] in [-1, 1], the wall
 * seconds and the threads that drew them.
 *
 * @example const { samples } = await teacherSamplesInChunks(teacher, balancedLabels(1000), 5, { threads: 2, report: console.error });
 */
export async function teacherSamplesInChunks(
  teacher: UNetDenoiser,
  labels: readonly number[],
  seed: number,
  options: {
    report?: (line: string) => void;
    guidanceScale?: number;
    threads?: number;
    steps?: number;
    chunkSize?: number;
  } = {},
): Promise<{ samples: tf.Tensor4D; seconds: number; threads: number; networkEvaluations: number }> {
  const {
    report = () => {},
    guidanceScale = 1,
    threads = 1,
    steps = TEACHER_HEUN_STEPS,
    chunkSize = CHUNK,
  } = options;
  const { imageSize, channels } = teacher.config;
  const networkEvaluations = 2 * steps - 1;
  const count = Math.ceil(labels.length / chunkSize);
  const chunkShape = (index: number): [number, number, number, number] => [
    Math.min(chunkSize, labels.length - index * chunkSize),
    imageSize,
    imageSize,
    channels,
  ];
  const chunkAt = (index: number): SamplerChunk => {
    const shape = chunkShape(index);
    const noise = samplerNoise(seed + index * chunkSize, shape);
    const values = noise.dataSync() as Float32Array;
    noise.dispose();
    return {
      noise: values,
      shape,
      labels: Int32Array.from(labels.slice(index * chunkSize, (index + 1) * chunkSize)),
      steps,
      guidanceScale,
    };
  };
  const chunks: tf.Tensor4D[] = [];
  const used = Math.min(threads, count);
  const started = performance.now();
  await solveChunks(teacher, count, chunkAt, {
    threads,
    onSolved(index, values) {
      chunks[index] = tf.tidy(() => cropToDataset(tf.tensor4d(values, chunkShape(index))));
    },
    onRound(solved) {
      const done = Math.min(labels.length, solved * chunkSize);
      const seconds = (performance.now() - started) / 1000;
      report(
        `teacher samples (${networkEvaluations} NFE, ${used} thread${used === 1 ? '' : 's'}): ${done}/${labels.length}, ${formatDuration((seconds / done) * (labels.length - done))} left`,
      );
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const samples = tf.concat(chunks) as tf.Tensor4D;
  tf.dispose(chunks);
  return { samples, seconds, threads: used, networkEvaluations };
}

/**
 * One-step student samples for `labels`, in batches of 100, cropped to 28x28:
 * [N, 28, 28, 1] in [-1, 1].
 *
 * @example const samples = studentSamplesFor(run.distiller, run.studentEma, balancedLabels(100), 0);
 */
export function studentSamplesFor(
  distiller: Distiller,
  student: EdmNetwork,
  labels: readonly number[],
  seed: number,
): tf.Tensor4D {
  const chunks: tf.Tensor[] = [];
  for (let start = 0; start < labels.length; start += CHUNK) {
    const size = Math.min(CHUNK, labels.length - start);
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
