import { MlpDiscriminator } from '@fdistill/discriminator';
import { type Divergence, getDivergence, parseDivergence } from '@fdistill/divergence';
import { type GaussianMixture, MlpDenoiser } from '@fdistill/score';
import {
  Distiller,
  type DistillOptions,
  mixtureSource,
  mlpDistillDiscriminator,
} from '@fdistill/trainer';
import { mixtureOfPreset } from './presets.js';
import type { RunConfig } from './run-config.js';

/** The divergence a config's `divergence` names (`gan-only` trains with reverse-KL's h but no f-distill term). */
export function divergenceNamed(name: string): Divergence {
  return name === 'gan-only' ? getDivergence('reverse-kl') : parseDivergence(name);
}

/**
 * The `Distiller` options of a run config: its divergence and hyperparameters, `learningRate`
 * for the fake score and the discriminator, `generatorLearningRate` (default the same) for the student. `gan-only` sets the f-distill weight to 0 and the GAN weight to 1 (the
 * GAN-only baseline of paper Table 2).
 *
 * @example new Distiller(networks, data, distillOptionsOfConfig(PRESETS.ring8));
 */
export function distillOptionsOfConfig(config: RunConfig): DistillOptions {
  const ganOnly = config.divergence === 'gan-only';
  return {
    divergence: divergenceNamed(config.divergence),
    batchSize: config.batchSize,
    seed: config.seed,
    fakeUpdateFrequency: config.fakeUpdateFrequency,
    ganWeight: ganOnly ? 1 : config.ganWeight,
    fDistillWeight: ganOnly ? 0 : 1,
    learningRates: {
      generator: config.generatorLearningRate ?? config.learningRate,
      fakeScore: config.learningRate,
      discriminator: config.learningRate,
    },
    emaDecay: config.emaDecay,
    r1: { gamma: config.r1Gamma },
    fakeScoreWeighting: config.fakeScoreWeighting,
    ...(config.ratioNormalization === false ? { ratioNormalization: false as const } : {}),
    weightNormalization: config.weightNormalization ?? true,
    ...(config.sigmaMax === undefined ? {} : { sigmaMax: config.sigmaMax }),
  };
}

/** Everything a mixture run trains and measures. */
export interface MixtureRun {
  teacher: GaussianMixture;
  distiller: Distiller;
  student: MlpDenoiser;
  studentEma: MlpDenoiser;
  dispose(): void;
}

/**
 * Builds a mixture-preset run: the exact teacher, fresh MLP student, EMA and fake score, an MLP
 * discriminator and the `Distiller` with the config's hyperparameters (`distillOptionsOfConfig`).
 *
 * @example const run = buildMixtureRun(resolveRunConfig({ preset: 'ring8' }));
 */
export function buildMixtureRun(config: RunConfig): MixtureRun {
  if (config.preset !== 'ring8' && config.preset !== 'grid25') {
    throw new Error(`buildMixtureRun: preset ${config.preset} is not a mixture preset`);
  }
  const teacher = mixtureOfPreset(config.preset);
  const network = (seedOffset: number, inputFeatures = 0) =>
    new MlpDenoiser({
      dim: teacher.dim,
      width: config.networkWidth,
      depth: config.networkDepth,
      inputFeatures,
      inputFeatureScale: config.inputFeatureScale ?? 1,
      seed: config.seed * 16 + seedOffset,
    });
  const studentFeatures = config.studentInputFeatures ?? 0;
  const student = network(1, studentFeatures);
  const studentEma = network(1, studentFeatures);
  const fakeScore = network(2, config.fakeScoreInputFeatures ?? 0);
  const discriminator = mlpDistillDiscriminator(
    new MlpDiscriminator({
      dimension: teacher.dim,
      hiddenSize: config.discriminatorWidth,
      hiddenLayers: config.discriminatorDepth,
      seed: config.seed * 16 + 3,
    }),
  );
  const distiller = new Distiller(
    { teacher, student, fakeScore, discriminator, studentEma },
    mixtureSource(teacher),
    distillOptionsOfConfig(config),
  );
  return {
    teacher,
    distiller,
    student,
    studentEma,
    dispose() {
      distiller.dispose();
      for (const module of [student, studentEma, fakeScore, discriminator.module]) module.dispose();
    },
  };
}
