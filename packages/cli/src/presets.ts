import { MIXTURE_RUN_SETTINGS, type MixtureName } from '@fdistill/trainer';
import { FASHION_MNIST_PATH } from './fashion-mnist.js';
import type { ImageRunConfig, MixtureRunConfig, PresetName } from './run-config.js';

/** What the CLI adds to the trainer's settings of a mixture run: evaluation and checkpoints. */
const MIXTURE_RUN_FOLDER_DEFAULTS = {
  evaluationSamples: 2500,
  evaluationEvery: 100,
  checkpointEvery: 500,
} as const;

/** A mixture preset's config: the trainer's `MIXTURE_RUN_SETTINGS` (why each value: there). */
function mixturePreset(name: MixtureName): MixtureRunConfig {
  const { mixture, ...settings } = MIXTURE_RUN_SETTINGS[name];
  return { preset: mixture, ...settings, ...MIXTURE_RUN_FOLDER_DEFAULTS };
}

/**
 * The fashion-mnist preset: the shipped U-Net teacher with classifier-free guidance 1.5 (its
 * label accuracy 0.867 where unguided it is 0.766); the student warm-started by regression on
 * the guided teacher's 2,048 Heun sampler pairs (shipped beside it; 6,000 updates at 5e-4), then
 * distilled with Jensen-Shannon at batch 16, the critics at 5e-4 and the student at 5e-5 (at 5e-4
 * f-distill undid the warm start), R1 on the conv heads; the
 * classifier's evaluation on 2,000 samples at the end. Why each value: docs/measurements/
 * 2026-12-05-fashion-mnist-recipe.md.
 */
const FASHION_MNIST_PRESET: ImageRunConfig = {
  preset: 'fashion-mnist',
  divergence: 'js',
  steps: 1100,
  batchSize: 16,
  seed: 0,
  fakeUpdateFrequency: 5,
  ganWeight: 1e-3,
  learningRate: 5e-4,
  generatorLearningRate: 5e-5,
  r1Gamma: 1,
  emaDecay: 0.99,
  fakeScoreWeighting: 'uniform',
  guidanceScale: 1.5,
  studentWarmStartSteps: 6000,
  studentWarmStartLearningRate: 5e-4,
  evaluationSamples: 2000,
  checkpointEvery: 100,
  dataPath: FASHION_MNIST_PATH,
};

/** The resolved config of each preset, one type per kind. */
export const PRESETS: {
  ring8: MixtureRunConfig;
  grid25: MixtureRunConfig;
  'fashion-mnist': ImageRunConfig;
} = {
  ring8: mixturePreset('ring8'),
  grid25: mixturePreset('grid25'),
  'fashion-mnist': FASHION_MNIST_PRESET,
};

/** One-line description of each preset, for `--help`. */
export const PRESET_DESCRIPTIONS: Record<PresetName, string> = {
  ring8: '8 Gaussians on a circle (radius 1, std 0.05), weights 4:1:...:1, exact teacher',
  grid25: '25 Gaussians on a 5x5 grid (spacing 1, std 0.05), equal weights, exact teacher',
  'fashion-mnist':
    "Fashion-MNIST 28x28 (padded to 32) from Debian's dataset-fashion-mnist, the shipped U-Net teacher (or teacherPath)",
};
