import type { UNetDenoiser } from '@fdistill/score';
import { heunSampler } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs';
import { cropToDataset } from './fashion-mnist.js';

/**
 * Class-conditional teacher samples for `labels`, by Heun with 18 steps (35 network
 * evaluations), cropped back to the dataset's 28x28. Returns the samples [N, 28, 28, 1] in
 * [-1, 1] and the seconds it took.
 *
 * @example const { samples } = teacherSamplesFor(teacher, [0, 0, 1, 1], 7);
 */
export function teacherSamplesFor(
  teacher: UNetDenoiser,
  labels: readonly number[],
  seed: number,
): { samples: tf.Tensor4D; seconds: number; networkEvaluations: number } {
  const { imageSize, channels } = teacher.config;
  const started = performance.now();
  const labelTensor = tf.tensor1d([...labels], 'int32');
  const { samples, networkEvaluations } = heunSampler(teacher, {
    steps: 18,
    seed,
    shape: [labels.length, imageSize, imageSize, channels],
    labels: labelTensor,
  });
  const cropped = cropToDataset(samples as tf.Tensor4D);
  cropped.dataSync();
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([samples, labelTensor]);
  return { samples: cropped, seconds, networkEvaluations };
}

/** `perClass` labels of each of `classCount` classes, class by class: [0, 0, ..., 1, 1, ...]. */
export function labelsByClass(classCount: number, perClass: number): number[] {
  return Array.from({ length: classCount * perClass }, (_, index) => Math.floor(index / perClass));
}
