import { type GaussianMixture, gridMixture, ringMixture } from '@fdistill/score';
import { FASHION_MNIST_PATH } from './fashion-mnist.js';
import type { PresetName, RunConfig } from './run-config.js';

/** Weights of the ring8 modes, counter-clockwise from angle 0: one heavy mode makes dropping visible. */
export const RING8_WEIGHTS = [4, 1, 1, 1, 1, 1, 1, 1] as const;

/**
 * Defaults shared by the mixture presets, sized for about three minutes on a 2-core CPU. There
 * is no teacher network to copy, so the student is first fitted to the exact teacher's Heun
 * sampler (3,000 updates), the fresh fake score is fitted to that student with EDM's
 * per-noise-level weighting (500 updates), and f-distill then trains the student at a quarter
 * of the critics' learning rate with the paper's GAN weight 1e-3. Why each choice: the cli
 * README, "Why the ring8 student smeared".
 */
const MIXTURE_DEFAULTS: Omit<RunConfig, 'preset'> = {
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
  evaluationSamples: 2500,
  evaluationEvery: 100,
  checkpointEvery: 500,
};

/** The resolved config of each preset. */
export const PRESETS: Record<PresetName, RunConfig> = {
  ring8: { preset: 'ring8', ...MIXTURE_DEFAULTS },
  // 25 sharp modes: the student and the fake score see random Fourier features of their input
  // (a plain MLP cannot fit the teacher's 25-basin sampler map in 3,000 updates: 0.26
  // high-quality share), the warm start runs at 3e-3, and the student then moves at a twentieth
  // of the critics' rate. Measurements: the cli README, "grid25".
  grid25: {
    preset: 'grid25',
    ...MIXTURE_DEFAULTS,
    generatorLearningRate: 1e-4,
    studentWarmStartLearningRate: 3e-3,
    studentInputFeatures: 256,
    fakeScoreInputFeatures: 128,
    inputFeatureScale: 4,
  },
  'fashion-mnist': {
    preset: 'fashion-mnist',
    ...MIXTURE_DEFAULTS,
    steps: 1100,
    batchSize: 16,
    learningRate: 5e-4,
    generatorLearningRate: undefined,
    ganWeight: 1e-3,
    r1Gamma: 1,
    emaDecay: 0.99,
    studentWarmStartSteps: 0,
    fakeScorePrefitSteps: 0,
    fakeScoreWeighting: 'uniform',
    evaluationSamples: 1000,
    evaluationEvery: 0,
    checkpointEvery: 100,
    dataPath: FASHION_MNIST_PATH,
  },
};

/** One-line description of each preset, for `--help`. */
export const PRESET_DESCRIPTIONS: Record<PresetName, string> = {
  ring8: '8 Gaussians on a circle (radius 1, std 0.05), weights 4:1:...:1, exact teacher',
  grid25: '25 Gaussians on a 5x5 grid (spacing 1, std 0.05), equal weights, exact teacher',
  'fashion-mnist':
    "Fashion-MNIST 28x28 (padded to 32) from Debian's dataset-fashion-mnist, the shipped U-Net teacher (or teacherPath)",
};

/**
 * The exact teacher of a mixture preset.
 *
 * @example mixtureOfPreset('ring8').weights // [0.36, 0.09, ...]
 */
export function mixtureOfPreset(preset: 'ring8' | 'grid25'): GaussianMixture {
  return preset === 'ring8'
    ? ringMixture({ modes: 8, radius: 1, std: 0.05, weights: [...RING8_WEIGHTS] })
    : gridMixture({ side: 5, spacing: 1, std: 0.05 });
}
