import {
  DEFAULT_DENSITY_RATIO_OPTIONS,
  type DensityRatioOptions,
  type Divergence,
  type RatioBinSpacing,
} from '@fdistill/divergence';
import { EDM_SIGMA_MAX, EDM_SIGMA_MIN } from '@fdistill/score';
import { assertFiniteNumber, assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import type { NonFiniteAction } from './non-finite.js';

/** How the discriminator's R1 penalty is computed. */
export type R1Form = 'approximate' | 'exact';

/** Options of `Distiller` (paper Algorithm 1 and Table 5); `resolveDistillOptions` fills the defaults. */
export interface DistillOptions {
  /** The f-divergence whose weighting h(r) scales the score difference. */
  divergence: Divergence;
  /** Samples per step. */
  batchSize: number;
  /** Run seed: every random draw derives from it and the step. Default 0. */
  seed?: number;
  /** tau: the generator updates when `step % tau == 0`, the critics otherwise. Default 5. */
  fakeUpdateFrequency?: number;
  /** Weight of the generator's GAN term. Default 1e-3 (CIFAR-10). */
  ganWeight?: number;
  /** Weight of the f-distill term; default 1. 0 trains the generator by the GAN term alone (GAN-only baseline). */
  fDistillWeight?: number;
  /** Learning rates; default 1e-4 for all three. */
  learningRates?: { generator?: number; fakeScore?: number; discriminator?: number };
  /** AdamW weight decay; default 0.01. */
  weightDecay?: number;
  /** AdamW betas; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Global gradient-norm clip of the generator; default 10. */
  generatorGradientClip?: number;
  /** Decay of the student's EMA (used when an EMA network is given); default 0.999. */
  emaDecay?: number;
  /** R1 weight gamma (0 disables it) and its form; default gamma 0, approximate. */
  r1?: { gamma?: number; form?: R1Form };
  /** Clamp and clip of the density ratio; FastGen's defaults. */
  densityRatio?: DensityRatioOptions;
  /**
   * Stage-one ratio normalization (sigma bins); `false` disables it. Default 10 bins linear in
   * sigma, EMA rate 0 (each bin divided by this batch's mean): FastGen's.
   */
  ratioNormalization?:
    | { binCount?: number; emaRate?: number; binSpacing?: RatioBinSpacing }
    | false;
  /**
   * Weighting of the fake score's x0 error per noise level: `'uniform'` (plain MSE, FastGen's
   * choice for a fake score copied from the teacher) or `'edm'` (EDM's lambda(sigma), which
   * trains every noise level alike: what a fake score that starts fresh needs). Default uniform.
   */
  fakeScoreWeighting?: 'uniform' | 'edm';
  /** Stage-two normalization `hbar = h(r) / mean_batch h(r)`; `false` uses h(r) as it is. Default true. */
  weightNormalization?: boolean;
  /** Noise range of the student and of the training grid; default [0.002, 80]. */
  sigmaMin?: number;
  sigmaMax?: number;
  /** Classifier-free guidance weight applied to the teacher (needs labels); default 1 (off). */
  guidanceScale?: number;
  /** On NaN or Inf: stop with an error, or roll back to the last checkpoint with halved learning rates. */
  onNonFinite?: NonFiniteAction;
}

/** `DistillOptions` with every default filled in. */
export type ResolvedDistillOptions = Required<
  Omit<DistillOptions, 'learningRates' | 'r1' | 'densityRatio' | 'ratioNormalization'>
> & {
  learningRates: { generator: number; fakeScore: number; discriminator: number };
  r1: { gamma: number; form: R1Form };
  densityRatio: Required<DensityRatioOptions>;
  ratioNormalization: { binCount: number; emaRate: number; binSpacing: RatioBinSpacing } | false;
};

/**
 * Fills the defaults of `DistillOptions` and validates every field, throwing an error that names
 * the field and the expected value before any work starts.
 *
 * @example resolveDistillOptions({ divergence: getDivergence('js'), batchSize: 256 }).fakeUpdateFrequency // 5
 */
export function resolveDistillOptions(options: DistillOptions): ResolvedDistillOptions {
  if (typeof options?.divergence?.hTensor !== 'function') {
    throw new TypeError(
      'distill options.divergence must be a Divergence from @fdistill/divergence',
    );
  }
  const learningRate = 1e-4;
  const resolved: ResolvedDistillOptions = {
    divergence: options.divergence,
    batchSize: options.batchSize,
    seed: options.seed ?? 0,
    fakeUpdateFrequency: options.fakeUpdateFrequency ?? 5,
    ganWeight: options.ganWeight ?? 1e-3,
    fDistillWeight: options.fDistillWeight ?? 1,
    learningRates: {
      generator: options.learningRates?.generator ?? learningRate,
      fakeScore: options.learningRates?.fakeScore ?? learningRate,
      discriminator: options.learningRates?.discriminator ?? learningRate,
    },
    weightDecay: options.weightDecay ?? 0.01,
    betas: options.betas ?? [0.9, 0.999],
    generatorGradientClip: options.generatorGradientClip ?? 10,
    emaDecay: options.emaDecay ?? 0.999,
    r1: { gamma: options.r1?.gamma ?? 0, form: options.r1?.form ?? 'approximate' },
    densityRatio: { ...DEFAULT_DENSITY_RATIO_OPTIONS, ...options.densityRatio },
    ratioNormalization:
      options.ratioNormalization === false
        ? false
        : {
            binCount: options.ratioNormalization?.binCount ?? 10,
            emaRate: options.ratioNormalization?.emaRate ?? 0,
            binSpacing: options.ratioNormalization?.binSpacing ?? 'linear',
          },
    weightNormalization: options.weightNormalization ?? true,
    fakeScoreWeighting: options.fakeScoreWeighting ?? 'uniform',
    sigmaMin: options.sigmaMin ?? EDM_SIGMA_MIN,
    sigmaMax: options.sigmaMax ?? EDM_SIGMA_MAX,
    guidanceScale: options.guidanceScale ?? 1,
    onNonFinite: options.onNonFinite ?? 'stop',
  };
  assertIntegerAtLeast('distill options.batchSize', resolved.batchSize, 1);
  assertIntegerAtLeast('distill options.seed', resolved.seed, 0);
  assertIntegerAtLeast('distill options.fakeUpdateFrequency', resolved.fakeUpdateFrequency, 2);
  assertFiniteNumber('distill options.ganWeight', resolved.ganWeight);
  if (resolved.ganWeight < 0)
    throw new RangeError(`distill options.ganWeight must be >= 0, got ${resolved.ganWeight}`);
  assertFiniteNumber('distill options.fDistillWeight', resolved.fDistillWeight);
  if (resolved.fDistillWeight < 0) {
    throw new RangeError(
      `distill options.fDistillWeight must be >= 0, got ${resolved.fDistillWeight}`,
    );
  }
  for (const [name, rate] of Object.entries(resolved.learningRates)) {
    assertPositiveNumber(`distill options.learningRates.${name}`, rate);
  }
  assertPositiveNumber('distill options.generatorGradientClip', resolved.generatorGradientClip);
  assertFiniteNumber('distill options.emaDecay', resolved.emaDecay);
  if (resolved.emaDecay < 0 || resolved.emaDecay > 1) {
    throw new RangeError(`distill options.emaDecay must be in [0, 1], got ${resolved.emaDecay}`);
  }
  assertFiniteNumber('distill options.r1.gamma', resolved.r1.gamma);
  if (resolved.r1.gamma < 0)
    throw new RangeError(`distill options.r1.gamma must be >= 0, got ${resolved.r1.gamma}`);
  if (resolved.r1.form !== 'approximate' && resolved.r1.form !== 'exact') {
    throw new RangeError(
      `distill options.r1.form must be 'approximate' or 'exact', got ${String(resolved.r1.form)}`,
    );
  }
  assertPositiveNumber('distill options.sigmaMin', resolved.sigmaMin);
  assertPositiveNumber('distill options.sigmaMax', resolved.sigmaMax);
  if (!(resolved.sigmaMax > resolved.sigmaMin)) {
    throw new RangeError(
      `distill options.sigmaMax must be > sigmaMin (${resolved.sigmaMin}), got ${resolved.sigmaMax}`,
    );
  }
  if (resolved.fakeScoreWeighting !== 'uniform' && resolved.fakeScoreWeighting !== 'edm') {
    throw new RangeError(
      `distill options.fakeScoreWeighting must be 'uniform' or 'edm', got ${String(resolved.fakeScoreWeighting)}`,
    );
  }
  if (typeof resolved.weightNormalization !== 'boolean') {
    throw new TypeError(
      `distill options.weightNormalization must be true or false, got ${String(resolved.weightNormalization)}`,
    );
  }
  assertPositiveNumber('distill options.guidanceScale', resolved.guidanceScale);
  if (resolved.onNonFinite !== 'stop' && resolved.onNonFinite !== 'rollback') {
    throw new RangeError(
      `distill options.onNonFinite must be 'stop' or 'rollback', got ${String(resolved.onNonFinite)}`,
    );
  }
  return resolved;
}
