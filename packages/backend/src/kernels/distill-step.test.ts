import { ConvDiscriminator } from '@fdistill/discriminator';
import { getDivergence } from '@fdistill/divergence';
import { UNetDenoiser } from '@fdistill/score';
import { Distiller, teacherFeatureDistillDiscriminator, tensorSource } from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onBothBackends } from './test-backends.js';

/** Two f-distill steps (generator, critic) on a small U-Net; the losses they report. */
function distillLosses(): tf.Tensor {
  const config = {
    imageSize: 8,
    channels: 1,
    baseChannels: 8,
    channelMultipliers: [1, 2],
    blocksPerResolution: 1,
    attentionResolutions: [4],
    groupNormGroups: 4,
    embeddingSize: 16,
    seed: 1,
  };
  const teacher = new UNetDenoiser(config);
  teacher.setTrainable(false);
  const [student, fakeScore] = [new UNetDenoiser(config), new UNetDenoiser(config)];
  student.copyParametersFrom(teacher);
  fakeScore.copyParametersFrom(teacher);
  const heads = new ConvDiscriminator({
    taps: teacher.featureTaps.filter((tap) => tap.resolution === 8),
    seed: 2,
  });
  const images = tf.randomUniform([8, 8, 8, 1], -1, 1, 'float32', 3);
  const distiller = new Distiller(
    {
      teacher,
      student,
      fakeScore,
      discriminator: teacherFeatureDistillDiscriminator(teacher, heads),
    },
    tensorSource(images),
    { divergence: getDivergence('js'), batchSize: 2, fakeUpdateFrequency: 2, r1: { gamma: 1 } },
  );
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const event = distiller.step();
    losses.push(...Object.values(event.losses).filter((value) => value !== undefined));
  }
  distiller.dispose();
  for (const module of [teacher, student, fakeScore, heads]) module.dispose();
  images.dispose();
  return tf.tensor1d(losses);
}

describe('f-distill on images with the wasm kernels', () => {
  it('takes the same steps as the cpu backend (U-Net, conv heads, approximate R1)', async () => {
    const { cpu, wasm } = await onBothBackends(distillLosses);
    const reference = cpu[0] as Float32Array;
    const actual = wasm[0] as Float32Array;
    expect(actual.length).toBe(reference.length);
    reference.forEach((value, index) => {
      expect(actual[index], `loss ${index}`).toBeCloseTo(value, 3);
    });
  }, 20_000);
});
