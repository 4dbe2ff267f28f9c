import { MlpDiscriminator } from '@fdistill/discriminator';
import { type GaussianMixture, gridMixture, MlpDenoiser, ringMixture } from '@fdistill/score';
import { mixtureSource } from './data/mixture-source.js';
import { mlpDistillDiscriminator } from './discriminator-adapters.js';
import type { DistillRun } from './distill-run.js';
import { Distiller } from './distiller.js';
import { type DistillRunSettings, distillOptionsOfSettings } from './run-settings.js';

/** The two 2-D benchmarks with an exact teacher. */
export type MixtureName = 'ring8' | 'grid25';

/** Weights of the ring8 modes, counter-clockwise from angle 0: one heavy mode makes dropping visible. */
export const RING8_WEIGHTS = [4, 1, 1, 1, 1, 1, 1, 1] as const;

/** Everything that sets up a mixture run: the benchmark, the networks and the hyperparameters. */
export interface MixtureRunSettings extends DistillRunSettings {
  mixture: MixtureName;
  /** Width and depth of the student and fake-score MLPs. */
  networkWidth: number;
  networkDepth: number;
  /**
   * Random Fourier features of the latent fed to the student next to the latent (even; 0 feeds
   * the latent alone); they let it jump sharply between many modes.
   */
  studentInputFeatures?: number;
  /** The same for the fake score (its input is the noisy sample); default 0. */
  fakeScoreInputFeatures?: number;
  /** Standard deviation of the input features' frequencies; default 1. */
  inputFeatureScale?: number;
  /** Width and depth of the MLP discriminator. */
  discriminatorWidth: number;
  discriminatorDepth: number;
  /**
   * Updates that fit the fresh student to the exact teacher's Heun sampler
   * (`studentWarmStartPairs` latent/sample pairs) before distilling, the analogue of starting
   * the student from the teacher's weights; 0 starts from the fresh network.
   */
  studentWarmStartSteps: number;
  /** Latent/sample pairs solved by the teacher for the warm start. */
  studentWarmStartPairs: number;
  /** Peak (cosine-decayed) learning rate of the warm start; default `learningRate`. */
  studentWarmStartLearningRate?: number;
  /** Steps that fit the fresh fake score to the initial student before distilling. */
  fakeScorePrefitSteps: number;
}

/**
 * Settings of the ring8 benchmark, sized for about three minutes on a 2-core CPU. There is no
 * teacher network to copy, so the student is first fitted to the exact teacher's Heun sampler
 * (3,000 updates), the fresh fake score is fitted to that student with EDM's per-noise-level
 * weighting (500 updates), and f-distill then trains the student at a quarter of the critics'
 * learning rate with the paper's GAN weight 1e-3. Why each choice: the cli README, "Why the
 * ring8 student smeared".
 */
const RING8_SETTINGS: MixtureRunSettings = {
  mixture: 'ring8',
  divergence: 'js',
  steps: 1000,
  batchSize: 256,
  seed: 0,
  fakeUpdateFrequency: 5,
  ganWeight: 1e-3,
  learningRate: 2e-3,
  generatorLearningRate: 5e-4,
  r1Gamma: 0,
  emaDecay: 0.99,
  networkWidth: 256,
  networkDepth: 3,
  discriminatorWidth: 128,
  discriminatorDepth: 3,
  studentWarmStartSteps: 3000,
  studentWarmStartPairs: 16384,
  fakeScorePrefitSteps: 500,
  fakeScoreWeighting: 'edm',
};

/** The settings of each mixture benchmark (the `fdistill` CLI's ring8 and grid25 presets). */
export const MIXTURE_RUN_SETTINGS: Readonly<Record<MixtureName, Readonly<MixtureRunSettings>>> = {
  ring8: RING8_SETTINGS,
  // 25 sharp modes: the student and the fake score see random Fourier features of their input
  // (a plain MLP cannot fit the teacher's 25-basin sampler map in 3,000 updates: 0.26
  // high-quality share), the warm start runs at 3e-3, and the student then moves at a twentieth
  // of the critics' rate. Measurements: the cli README, "grid25".
  grid25: {
    ...RING8_SETTINGS,
    mixture: 'grid25',
    generatorLearningRate: 1e-4,
    studentWarmStartLearningRate: 3e-3,
    studentInputFeatures: 256,
    fakeScoreInputFeatures: 128,
    inputFeatureScale: 4,
  },
};

/**
 * The exact teacher of a mixture benchmark: ring8 is 8 Gaussians on a circle (radius 1, std
 * 0.05, weights 4:1:...:1), grid25 25 Gaussians on a 5x5 grid (spacing 1, std 0.05).
 *
 * @example mixtureTeacher('ring8').weights // [0.36, 0.09, ...]
 */
export function mixtureTeacher(name: MixtureName): GaussianMixture {
  if (name === 'ring8') {
    return ringMixture({ modes: 8, radius: 1, std: 0.05, weights: [...RING8_WEIGHTS] });
  }
  if (name === 'grid25') return gridMixture({ side: 5, spacing: 1, std: 0.05 });
  throw new RangeError(`mixtureTeacher: name must be "ring8" or "grid25", got ${String(name)}`);
}

/** Everything a mixture run trains and measures; its `warmStart` fits the fresh networks. */
export type MixtureRun = DistillRun<GaussianMixture, MlpDenoiser>;

/**
 * Builds a mixture run: the exact teacher, a fresh MLP student, its EMA and the fake score, an
 * MLP discriminator and the `Distiller` with the settings' hyperparameters. Its `warmStart`
 * (present when `studentWarmStartSteps` or `fakeScorePrefitSteps` is not 0) fits the student to
 * the teacher's sampler, then the fake score to that student. Every network's
 * seed derives from `settings.seed`, so the same settings give the same run everywhere (the CLI,
 * a browser) on the same backend.
 *
 * @example const run = buildMixtureRun({ ...MIXTURE_RUN_SETTINGS.ring8, divergence: 'forward-kl' });
 */
export function buildMixtureRun(settings: MixtureRunSettings): MixtureRun {
  const teacher = mixtureTeacher(settings.mixture);
  const network = (seedOffset: number, inputFeatures = 0) =>
    new MlpDenoiser({
      dimension: teacher.dimension,
      width: settings.networkWidth,
      depth: settings.networkDepth,
      inputFeatures,
      inputFeatureScale: settings.inputFeatureScale ?? 1,
      seed: settings.seed * 16 + seedOffset,
    });
  const studentFeatures = settings.studentInputFeatures ?? 0;
  const student = network(1, studentFeatures);
  const studentEma = network(1, studentFeatures);
  const fakeScore = network(2, settings.fakeScoreInputFeatures ?? 0);
  const discriminator = mlpDistillDiscriminator(
    new MlpDiscriminator({
      dimension: teacher.dimension,
      width: settings.discriminatorWidth,
      depth: settings.discriminatorDepth,
      seed: settings.seed * 16 + 3,
    }),
  );
  const distiller = new Distiller(
    { teacher, student, fakeScore, discriminator, studentEma },
    mixtureSource(teacher),
    distillOptionsOfSettings(settings),
  );
  const warmStarts = settings.studentWarmStartSteps > 0 || settings.fakeScorePrefitSteps > 0;
  return {
    teacher,
    distiller,
    student,
    studentEma,
    ...(warmStarts
      ? { warmStart: (signal?: AbortSignal) => warmStartMixtureRun(distiller, settings, signal) }
      : {}),
    dispose() {
      distiller.dispose();
      for (const module of [student, studentEma, fakeScore, discriminator.module]) module.dispose();
    },
  };
}

/**
 * What a fresh mixture run does before distilling: fits the student to the teacher's sampler
 * (`studentWarmStartSteps` updates on `studentWarmStartPairs` pairs) and then the fake score to
 * that student (`fakeScorePrefitSteps`). Either count may be 0. An aborted `signal` stops
 * either fit after its current update.
 */
async function warmStartMixtureRun(
  distiller: Distiller,
  settings: MixtureRunSettings,
  signal?: AbortSignal,
): Promise<void> {
  if (settings.studentWarmStartSteps > 0) {
    await distiller.warmStartStudent({
      steps: settings.studentWarmStartSteps,
      pairs: settings.studentWarmStartPairs,
      learningRate: settings.studentWarmStartLearningRate ?? settings.learningRate,
      ...(signal ? { signal } : {}),
    });
  }
  if (signal?.aborted) return;
  if (settings.fakeScorePrefitSteps > 0)
    await distiller.prefitFakeScore(settings.fakeScorePrefitSteps, signal);
}
