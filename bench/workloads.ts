import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { PRESETS } from '../packages/cli/dist/index.js';
import { discriminator, score, trainer } from './workspace.js';

/** The image U-Net of the benchmark (the PyTorch side builds the same network from it). */
export interface ImageWorkloadConfig {
  batchSize: number;
  imageSize: number;
  channels: number;
  baseChannels: number;
  channelMultipliers: number[];
  blocksPerResolution: number;
  attentionResolutions: number[];
  groupNormGroups: number;
  embeddingSize: number;
  /** Resolutions of the teacher taps that get a conv discriminator head. */
  headResolutions: number[];
  /** R1 weight (approximate R1, as the fashion-mnist preset). */
  r1Gamma: number;
  learningRate: number;
  ganWeight: number;
  emaDecay: number;
}

/**
 * Fashion-MNIST (28x28x1) zero-padded to 32x32, so that the encoder taps sit at 32, 16 and 8, the
 * resolutions `ConvDiscriminator` heads accept (8 times a power of two; 28, 14 and 7 are not),
 * with the fashion-mnist preset's hyperparameters (batch 16 instead of 64, to keep the run short).
 *
 * @example const config = { ...IMAGE_WORKLOAD, batchSize: 8 };
 */
export const IMAGE_WORKLOAD: ImageWorkloadConfig = {
  batchSize: 16,
  imageSize: 32,
  channels: 1,
  baseChannels: 32,
  channelMultipliers: [1, 2, 2],
  blocksPerResolution: 1,
  attentionResolutions: [8],
  groupNormGroups: 8,
  embeddingSize: 128,
  headResolutions: [32, 16, 8],
  r1Gamma: PRESETS['fashion-mnist'].r1Gamma,
  learningRate: PRESETS['fashion-mnist'].learningRate,
  ganWeight: PRESETS['fashion-mnist'].ganWeight,
  emaDecay: PRESETS['fashion-mnist'].emaDecay,
};

/** The shipped Fashion-MNIST teacher's network, as `fdistill teacher train` writes its config. */
const SHIPPED_TEACHER = JSON.parse(
  readFileSync(
    new URL('../packages/cli/teachers/fashion-mnist/config.json', import.meta.url),
    'utf8',
  ),
) as {
  network: Omit<
    ImageWorkloadConfig,
    'batchSize' | 'headResolutions' | 'r1Gamma' | 'learningRate' | 'ganWeight' | 'emaDecay'
  >;
  batchSize: number;
  learningRate: number;
  emaDecay: number;
};

/**
 * What `fdistill distill --preset fashion-mnist` trains: the shipped teacher's U-Net (base 16, no
 * attention) at the preset's batch and hyperparameters. Both sides leave out its label embedding
 * (one embedding row added to the noise embedding: no measurable share of a step).
 *
 * @example const workload = imageWorkload(IMAGE_PRESET_WORKLOAD);
 */
export const IMAGE_PRESET_WORKLOAD: ImageWorkloadConfig = {
  batchSize: PRESETS['fashion-mnist'].batchSize,
  imageSize: SHIPPED_TEACHER.network.imageSize,
  channels: SHIPPED_TEACHER.network.channels,
  baseChannels: SHIPPED_TEACHER.network.baseChannels,
  channelMultipliers: SHIPPED_TEACHER.network.channelMultipliers,
  blocksPerResolution: SHIPPED_TEACHER.network.blocksPerResolution,
  attentionResolutions: SHIPPED_TEACHER.network.attentionResolutions,
  groupNormGroups: SHIPPED_TEACHER.network.groupNormGroups,
  embeddingSize: SHIPPED_TEACHER.network.embeddingSize,
  headResolutions: [32, 16, 8],
  r1Gamma: PRESETS['fashion-mnist'].r1Gamma,
  learningRate: PRESETS['fashion-mnist'].learningRate,
  ganWeight: PRESETS['fashion-mnist'].ganWeight,
  emaDecay: PRESETS['fashion-mnist'].emaDecay,
};

/**
 * What `fdistill teacher train --preset fashion-mnist` runs per step: one denoising
 * score-matching step (EDM log-normal sigmas, AdamW, EMA copy) of the shipped teacher's U-Net at
 * its training batch.
 *
 * @example const workload = teacherWorkload(TEACHER_WORKLOAD); await workload.step();
 */
export const TEACHER_WORKLOAD: ImageWorkloadConfig = {
  ...IMAGE_PRESET_WORKLOAD,
  batchSize: SHIPPED_TEACHER.batchSize,
  learningRate: SHIPPED_TEACHER.learningRate,
  emaDecay: SHIPPED_TEACHER.emaDecay,
};

/** The U-Net config of a workload (seeded like the bench's other networks). */
function unetConfigOf(config: ImageWorkloadConfig) {
  return {
    imageSize: config.imageSize,
    channels: config.channels,
    baseChannels: config.baseChannels,
    channelMultipliers: config.channelMultipliers,
    blocksPerResolution: config.blocksPerResolution,
    attentionResolutions: config.attentionResolutions,
    groupNormGroups: config.groupNormGroups,
    embeddingSize: config.embeddingSize,
    seed: 1,
  };
}

/** Random images in [-1, 1] (the timing does not depend on them). */
function randomImages(config: ImageWorkloadConfig): tf.Tensor4D {
  return tf.randomUniform(
    [256, config.imageSize, config.imageSize, config.channels],
    -1,
    1,
    'float32',
    3,
  );
}

/** A frozen U-Net teacher of the workload's sizes, for the sampler's timing. */
export function samplerWorkload(config: ImageWorkloadConfig): score.UNetDenoiser {
  const teacher = new score.UNetDenoiser(unetConfigOf(config));
  teacher.setTrainable(false);
  return teacher;
}

/**
 * Teacher training (denoising score matching) of a U-Net with an EMA copy, as the CLI's teacher
 * training does it.
 *
 * @example const workload = teacherWorkload(TEACHER_WORKLOAD); await workload.step();
 */
export function teacherWorkload(config: ImageWorkloadConfig): {
  step(): Promise<void>;
  dispose(): void;
  /** The network being trained and its trainer (to split its batches across threads). */
  network: score.UNetDenoiser;
  trainer: trainer.TeacherTrainer;
} {
  const network = new score.UNetDenoiser(unetConfigOf(config));
  const ema = new score.UNetDenoiser(unetConfigOf(config));
  ema.copyParametersFrom(network);
  const images = randomImages(config);
  const teacherTrainer = new trainer.TeacherTrainer(
    network,
    trainer.tensorSource(images),
    {
      batchSize: config.batchSize,
      totalSteps: 1_000_000,
      learningRate: config.learningRate,
      emaDecay: config.emaDecay,
    },
    ema,
  );
  return {
    step: async () => {
      await teacherTrainer.step();
    },
    dispose: () => {
      for (const module of [network, ema]) module.dispose();
      images.dispose();
    },
    network,
    trainer: teacherTrainer,
  };
}

/**
 * An f-distill run whose steps alternate between the two kinds: tau = 2 makes even steps
 * generator steps and odd steps critic steps (fake-score and discriminator updates). tau only
 * picks the kind of each step, so a pair is one generator step and one critic step of the preset.
 */
export interface DistillWorkload {
  /** Takes the next step; says which kind it was. */
  step(): Promise<'generator' | 'critic'>;
  dispose(): void;
  /** The run's distiller (to split its steps across threads). */
  distiller: trainer.Distiller;
}

/** Bench runs alternate the two step kinds (see `DistillWorkload`). */
const ALTERNATING = 2;

/**
 * The 2-D preset exactly as `fdistill distill --preset ring8` builds it: exact mixture teacher,
 * MLP student / fake score (width 256, depth 3), MLP discriminator (width 128, depth 3), batch 256.
 *
 * @example const workload = mixtureWorkload(); await workload.step(); // 'generator'
 */
export function mixtureWorkload(): DistillWorkload {
  const run = trainer.buildMixtureRun({
    ...trainer.MIXTURE_RUN_SETTINGS.ring8,
    fakeUpdateFrequency: ALTERNATING,
  });
  return {
    step: async () => (await run.distiller.step()).phase,
    dispose: () => run.dispose(),
    distiller: run.distiller,
  };
}

/**
 * f-distill on images: a frozen U-Net teacher, student and fake score initialized from it, conv
 * discriminator heads on the teacher's encoder taps, approximate R1, the fashion-mnist preset's
 * hyperparameters; data are random images (the timing does not depend on them).
 *
 * @example const workload = imageWorkload(IMAGE_WORKLOAD); await workload.step();
 */
export function imageWorkload(config: ImageWorkloadConfig): DistillWorkload {
  const unetConfig = unetConfigOf(config);
  const teacher = new score.UNetDenoiser(unetConfig);
  teacher.setTrainable(false);
  const student = new score.UNetDenoiser(unetConfig);
  const studentEma = new score.UNetDenoiser(unetConfig);
  const fakeScore = new score.UNetDenoiser(unetConfig);
  for (const copy of [student, studentEma, fakeScore]) copy.copyParametersFrom(teacher);
  const heads = new discriminator.ConvDiscriminator({
    taps: teacher.featureTaps.filter((tap) => config.headResolutions.includes(tap.resolution)),
    seed: 2,
  });
  const images = randomImages(config);
  const distiller = new trainer.Distiller(
    {
      teacher,
      student,
      fakeScore,
      studentEma,
      discriminator: trainer.teacherFeatureDistillDiscriminator(teacher, heads),
    },
    trainer.tensorSource(images),
    {
      ...trainer.distillOptionsOfSettings({
        ...PRESETS['fashion-mnist'],
        // The workload leaves out the label embedding, so the preset's classifier-free guidance
        // (a second, null-label teacher pass in the generator step) is left out too.
        guidanceScale: 1,
        divergence: 'js',
        batchSize: config.batchSize,
        learningRate: config.learningRate,
        ganWeight: config.ganWeight,
        emaDecay: config.emaDecay,
        r1Gamma: config.r1Gamma,
      }),
      fakeUpdateFrequency: ALTERNATING,
    },
  );
  return {
    step: async () => (await distiller.step()).phase,
    dispose: () => {
      distiller.dispose();
      for (const module of [teacher, student, studentEma, fakeScore, heads]) module.dispose();
      images.dispose();
    },
    distiller,
  };
}
