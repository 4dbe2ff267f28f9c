import {
  type Divergence,
  getDivergence,
  parseDivergence,
  type RatioBinSpacing,
} from '@fdistill/divergence';
import type { DistillOptions } from './distill-options.js';

/**
 * The hyperparameters of one distillation run as plain JSON (what a config file, a CLI preset or
 * a demo page's controls hold); `distillOptionsOfSettings` turns them into `Distiller` options.
 */
export interface DistillRunSettings {
  /** A divergence name, `alpha:<a>`, or `gan-only` (the GAN loss alone, no f-distill term). */
  divergence: string;
  /** Distillation steps (after any warm start). */
  steps: number;
  batchSize: number;
  seed: number;
  /** tau: the student is updated every this many steps, the critics on the others. */
  fakeUpdateFrequency: number;
  ganWeight: number;
  /** Learning rate of the fake score and the discriminator (and of the student unless set below). */
  learningRate: number;
  /** Learning rate of the student; default `learningRate`. */
  generatorLearningRate?: number;
  r1Gamma: number;
  emaDecay: number;
  /** How the fake score's error is weighted per noise level: `uniform` (the paper's) or `edm`. */
  fakeScoreWeighting: 'uniform' | 'edm';
  /** Stage one of the weight normalization (ratio per sigma bin); default true. */
  ratioNormalization?: boolean;
  /** Stage one's sigma bins: `linear` in sigma (FastGen's, the default) or `log` (ln sigma). */
  ratioBinSpacing?: RatioBinSpacing;
  /**
   * EMA rate of stage one's bin means: 0 (the default, FastGen's) divides by this batch's mean;
   * higher rates average over batches (a batch of 16 leaves about 1 sample in 6 alone in its bin,
   * where rate 0 makes its ratio exactly 1).
   */
  ratioBinEmaRate?: number;
  /** Stage two of the weight normalization (h / batch mean of h); default true. */
  weightNormalization?: boolean;
  /** Largest noise level of the student and of the training grid; default EDM's 80. */
  sigmaMax?: number;
  /**
   * Classifier-free guidance scale of a class-conditional teacher (1: unguided, the default):
   * the student is distilled from the guided teacher.
   */
  guidanceScale?: number;
}

/**
 * The divergence a settings' `divergence` names (`gan-only` trains with reverse-KL's h but no
 * f-distill term).
 *
 * @example divergenceOfSettings('alpha:0.5').label
 */
export function divergenceOfSettings(name: string): Divergence {
  return name === 'gan-only' ? getDivergence('reverse-kl') : parseDivergence(name);
}

/**
 * The `Distiller` options of run settings: its divergence and hyperparameters, `learningRate`
 * for the fake score and the discriminator, `generatorLearningRate` (default the same) for the
 * student. `gan-only` sets the f-distill weight to 0 and the GAN weight to 1 (the GAN-only
 * baseline of paper Table 2).
 *
 * @example new Distiller(networks, data, distillOptionsOfSettings(MIXTURE_RUN_SETTINGS.ring8));
 */
export function distillOptionsOfSettings(settings: DistillRunSettings): DistillOptions {
  const ganOnly = settings.divergence === 'gan-only';
  return {
    divergence: divergenceOfSettings(settings.divergence),
    batchSize: settings.batchSize,
    seed: settings.seed,
    fakeUpdateFrequency: settings.fakeUpdateFrequency,
    ganWeight: ganOnly ? 1 : settings.ganWeight,
    fDistillWeight: ganOnly ? 0 : 1,
    learningRates: {
      generator: settings.generatorLearningRate ?? settings.learningRate,
      fakeScore: settings.learningRate,
      discriminator: settings.learningRate,
    },
    emaDecay: settings.emaDecay,
    r1: { gamma: settings.r1Gamma },
    fakeScoreWeighting: settings.fakeScoreWeighting,
    ratioNormalization:
      settings.ratioNormalization === false
        ? false
        : {
            ...(settings.ratioBinSpacing === undefined
              ? {}
              : { binSpacing: settings.ratioBinSpacing }),
            ...(settings.ratioBinEmaRate === undefined
              ? {}
              : { emaRate: settings.ratioBinEmaRate }),
          },
    weightNormalization: settings.weightNormalization ?? true,
    ...(settings.sigmaMax === undefined ? {} : { sigmaMax: settings.sigmaMax }),
    ...(settings.guidanceScale === undefined ? {} : { guidanceScale: settings.guidanceScale }),
  };
}
