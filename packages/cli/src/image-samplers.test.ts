import '@tensorflow/tfjs';
import { heunSampler, UNetDenoiser } from '@fdistill/score';
import { TINY_UNET } from '@fdistill/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cropToDataset } from './fashion-mnist.js';
import { balancedLabels, guidedTeacher, teacherSamplesInChunks } from './image-samplers.js';

describe('teacherSamplesInChunks', { timeout: 60_000 }, () => {
  it("gives each batch the guided sampler's solution from the batch's seed, the same on two threads as on one", async () => {
    // Small enough for the cpu backend at the 32x32 that is cropped to Fashion-MNIST's 28x28.
    const teacher = new UNetDenoiser({
      ...TINY_UNET,
      imageSize: 32,
      channels: 1,
      baseChannels: 4,
      channelMultipliers: [1],
      attentionResolutions: [],
      groupNormGroups: 2,
      classCount: 10,
    });
    const labels = balancedLabels(25);
    const options = { steps: 2, guidanceScale: 1.5, chunkSize: 10 };
    const lines: string[] = [];
    const one = await teacherSamplesInChunks(teacher, labels, 7, options);
    const two = await teacherSamplesInChunks(teacher, labels, 7, {
      ...options,
      threads: 2,
      report: (line) => lines.push(line),
    });
    expect(one.samples.shape).toEqual([25, 28, 28, 1]);
    expect(one.networkEvaluations).toBe(3);
    expect(two.threads).toBe(2);
    expect(lines.map((line) => line.replace(/, \S+ left$/, ''))).toEqual([
      'teacher samples (3 NFE, 2 threads): 20/25',
      'teacher samples (3 NFE, 2 threads): 25/25',
    ]);
    expect(Array.from(two.samples.dataSync())).toEqual(Array.from(one.samples.dataSync()));
    // The last batch (5 images) is the sampler's own draw from the seed 7 + 20, cropped.
    const expected = tf.tidy(() => {
      const { samples } = heunSampler(guidedTeacher(teacher, 1.5), {
        steps: 2,
        seed: 27,
        shape: [5, 32, 32, 1],
        labels: tf.tensor1d(labels.slice(20), 'int32'),
      });
      return Array.from(cropToDataset(samples as tf.Tensor4D).dataSync());
    });
    const last = tf.tidy(() => Array.from(one.samples.slice(20, 5).dataSync()));
    expect(last).toEqual(expected);
    tf.dispose([one.samples, two.samples]);
    teacher.dispose();
  });
});
