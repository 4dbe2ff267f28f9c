import { ConvDiscriminator } from '@fdistill/discriminator';
import { getDivergence } from '@fdistill/divergence';
import { UNetDenoiser } from '@fdistill/score';
import { Distiller, teacherFeatureDistillDiscriminator, tensorSource } from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';

/**
 * For tests: two f-distill steps (generator, critic with approximate R1) on a small U-Net with
 * conv heads on its 8x8 tap. Returns the losses they report, then a copy of every student and
 * head parameter after them; everything else is freed.
 */
export function twoImageDistillSteps(): tf.Tensor[] {
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
  const updated = [...student.parameters(), ...heads.parameters()].map((p) => p.clone());
  distiller.dispose();
  for (const module of [teacher, student, fakeScore, heads]) module.dispose();
  images.dispose();
  return [tf.tensor1d(losses), ...updated];
}
