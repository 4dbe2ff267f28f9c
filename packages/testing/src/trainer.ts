import { ConvDiscriminator, MlpDiscriminator } from '@fdistill/discriminator';
import { getDivergence } from '@fdistill/divergence';
import { GaussianMixture, MlpDenoiser, type UNetConfig, UNetDenoiser } from '@fdistill/score';
import {
  buildMixtureRun,
  Distiller,
  type DistillOptions,
  MIXTURE_RUN_SETTINGS,
  mixtureSource,
  mlpDistillDiscriminator,
  teacherFeatureDistillDiscriminator,
  tensorSource,
} from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';
import { TINY_UNET } from './networks.js';

/** The networks of a small image f-distill test (see `tinyImageDistillNetworks`). */
export interface TinyImageDistillNetworks {
  teacher: UNetDenoiser;
  student: UNetDenoiser;
  fakeScore: UNetDenoiser;
  heads: ConvDiscriminator;
}

/**
 * A frozen one-channel 8x8 U-Net teacher of `base` (attention at 4x4, seed 1), a student and a
 * fake score copied from it, and conv heads (seed 2) on its 8x8 tap: the networks of an image
 * run, small enough for unit tests.
 *
 * @example const { teacher, student, fakeScore, heads } = tinyImageDistillNetworks(TINY_UNET);
 */
export function tinyImageDistillNetworks(base: UNetConfig): TinyImageDistillNetworks {
  const config = { ...base, channels: 1, attentionResolutions: [4], seed: 1 };
  const teacher = new UNetDenoiser(config);
  teacher.setTrainable(false);
  const [student, fakeScore] = [new UNetDenoiser(config), new UNetDenoiser(config)];
  student.copyParametersFrom(teacher);
  fakeScore.copyParametersFrom(teacher);
  const heads = new ConvDiscriminator({
    taps: teacher.featureTaps.filter((tap) => tap.resolution === 8),
    seed: 2,
  });
  return { teacher, student, fakeScore, heads };
}

/**
 * Two f-distill steps (generator, critic with approximate R1) on a small U-Net with
 * conv heads on its 8x8 tap. Returns the losses they report, then a copy of every student and
 * head parameter after them, then the same parameters before them; everything else is freed.
 */
export async function twoImageDistillSteps(): Promise<tf.Tensor[]> {
  const { teacher, student, fakeScore, heads } = tinyImageDistillNetworks(TINY_UNET);
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
  const parameters = () => [...student.parameters(), ...heads.parameters()].map((p) => p.clone());
  const initial = parameters();
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const event = await distiller.step();
    losses.push(...Object.values(event.losses).filter((value) => value !== undefined));
  }
  const updated = parameters();
  distiller.dispose();
  for (const module of [teacher, student, fakeScore, heads]) module.dispose();
  images.dispose();
  return [tf.tensor1d(losses), ...updated, ...initial];
}

/**
 * Two f-distill steps (generator, critic with R1) of the ring8 preset's networks (MLP
 * student and fake score, MLP discriminator, exact mixture teacher) at batch 64. Returns the
 * losses they report, then a copy of every student and discriminator parameter after them, then
 * the same parameters before them; everything else is freed.
 */
export async function twoMixtureDistillSteps(): Promise<tf.Tensor[]> {
  const run = buildMixtureRun({
    ...MIXTURE_RUN_SETTINGS.ring8,
    batchSize: 64,
    fakeUpdateFrequency: 2,
    r1Gamma: 1,
  });
  const { student, discriminator } = run.distiller.networks;
  const parameters = () =>
    [...student.parameters(), ...discriminator.module.parameters()].map((p) => p.clone());
  const initial = parameters();
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const event = await run.distiller.step();
    losses.push(...Object.values(event.losses).filter((value) => value !== undefined));
  }
  const updated = parameters();
  run.dispose();
  return [tf.tensor1d(losses), ...updated, ...initial];
}

/** A small f-distill setup on a mixture with the exact teacher, for tests. */
export function smallDistiller(
  teacher: GaussianMixture,
  options: Omit<DistillOptions, 'batchSize'> & { batchSize?: number },
  width = 32,
): Distiller {
  const dimension = teacher.dimension;
  const student = new MlpDenoiser({ dimension, width, depth: 2, embeddingSize: 8, seed: 11 });
  const fakeScore = new MlpDenoiser({ dimension, width, depth: 2, embeddingSize: 8, seed: 12 });
  const discriminator = mlpDistillDiscriminator(
    new MlpDiscriminator({
      dimension: dimension,
      width: width,
      depth: 2,
      embeddingSize: 8,
      seed: 13,
    }),
  );
  return new Distiller({ teacher, student, fakeScore, discriminator }, mixtureSource(teacher), {
    batchSize: 32,
    ...options,
  });
}

/** Two 2-D modes at (-1, 0) and (1, 0), std 0.1, weights 0.8 and 0.2: the tests' exact teacher. */
export function twoModeMixture(): GaussianMixture {
  return new GaussianMixture({
    means: [
      [-1, 0],
      [1, 0],
    ],
    stds: 0.1,
    weights: [0.8, 0.2],
  });
}
