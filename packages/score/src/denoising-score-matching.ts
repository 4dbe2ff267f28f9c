import {
  assertFiniteNumber,
  assertIntegerAtLeast,
  assertPositiveNumber,
  describeValue,
} from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels, nullLabels } from './class-labels.js';
import type { Denoiser } from './denoiser.js';
import { assertSeed, deriveSeed } from './derive-seed.js';
import { DEFAULT_SIGMA_DATA, multiplyPerSample, sigmaPerSample } from './edm-preconditioning.js';

/** EDM's log-normal training noise: `ln sigma ~ N(-1.2, 1.2^2)`. */
export const EDM_P_MEAN = -1.2;
/** EDM's log-normal training noise: `ln sigma ~ N(-1.2, 1.2^2)`. */
export const EDM_P_STD = 1.2;

/** Options of `denoisingScoreMatchingLoss`. */
export interface DenoisingScoreMatchingOptions {
  /**
   * Seed of the noise levels (stream 0), the noise (stream 1) and the label dropout (stream 2).
   * Required unless both `sigma` and `noise` are given.
   */
  seed?: number;
  /** Mean of ln sigma; default -1.2. */
  pMean?: number;
  /** Standard deviation of ln sigma; default 1.2. */
  pStd?: number;
  /** Noise levels to use instead of drawing them: a number or one per sample. */
  sigma?: number | tf.Tensor;
  /** The standard normal noise n (shaped like x0) to use instead of drawing it. */
  noise?: tf.Tensor;
  /** Class labels (int32 [batch]) for a class-conditional denoiser. */
  labels?: tf.Tensor;
  /**
   * Probability of replacing each label by the null label (classifier-free guidance training);
   * default 0. Needs a denoiser with `classCount`.
   */
  labelDropout?: number;
  /**
   * `'mean'` (default): the mean over every element of the batch, a scalar. `'per-sample'`: the
   * mean over each sample's elements, [batch] (e.g. to log the loss per noise level).
   */
  reduction?: 'mean' | 'per-sample';
}

/**
 * EDM's denoising score-matching weight `lambda(sigma) = (sigma^2 + sd^2) / (sigma sd)^2`
 * (the inverse of `c_out^2`, so the effective target of F has unit variance). Works on numbers
 * and, elementwise, on tensors.
 *
 * @example denoisingScoreMatchingWeight(0.5); // (0.25 + 0.25) / 0.0625 = 8
 */
export function denoisingScoreMatchingWeight(sigma: number, sigmaData?: number): number;
export function denoisingScoreMatchingWeight(sigma: tf.Tensor, sigmaData?: number): tf.Tensor;
export function denoisingScoreMatchingWeight(
  sigma: number | tf.Tensor,
  sigmaData = DEFAULT_SIGMA_DATA,
): number | tf.Tensor {
  assertPositiveNumber('denoisingScoreMatchingWeight: sigmaData', sigmaData);
  const dataVariance = sigmaData * sigmaData;
  if (typeof sigma === 'number') {
    assertPositiveNumber('denoisingScoreMatchingWeight: sigma', sigma);
    return (sigma * sigma + dataVariance) / (sigma * sigma * dataVariance);
  }
  if (!(sigma instanceof tf.Tensor)) {
    throw new TypeError(
      `denoisingScoreMatchingWeight: sigma must be a number or a tensor, got ${describeValue(sigma)}`,
    );
  }
  return tf.tidy(() => {
    const sigmaSquared = tf.square(sigma);
    return tf.div(tf.add(sigmaSquared, dataVariance), tf.mul(sigmaSquared, dataVariance));
  });
}

/**
 * EDM's log-normal training noise levels, `sigma = exp(pMean + pStd n)`, float32 [batch].
 *
 * @example const sigma = sampleLogNormalSigmas(256, 1); // median e^-1.2 = 0.30
 */
export function sampleLogNormalSigmas(
  batch: number,
  seed: number,
  pMean = EDM_P_MEAN,
  pStd = EDM_P_STD,
): tf.Tensor1D {
  assertIntegerAtLeast('sampleLogNormalSigmas: batch', batch, 1);
  assertSeed('sampleLogNormalSigmas: seed', seed);
  assertFiniteNumber('sampleLogNormalSigmas: pMean', pMean);
  assertPositiveNumber('sampleLogNormalSigmas: pStd', pStd);
  return tf.tidy(
    () =>
      tf.exp(tf.randomNormal([batch], pMean, pStd, 'float32', deriveSeed(seed, 0))) as tf.Tensor1D,
  );
}

/**
 * EDM's denoising score-matching loss (teacher training, Karras et al. 2022): draw
 * `ln sigma ~ N(pMean, pStd^2)` and `n ~ N(0, I)`, denoise `x = x0 + sigma n`, and weight the
 * squared error by `lambda(sigma) = (sigma^2 + sd^2) / (sigma sd)^2`, sd the denoiser's sigmaData.
 *
 * Reduction: the MEAN over every element (batch and data dimensions) of
 * `lambda (D(x; sigma) - x0)^2`, the quantity EDM reports as its loss. (EDM back-propagates the
 * sum over elements divided by the batch size, `dimension` times this; with Adam the two train alike.)
 * The optimum (D = E[x0 | x]) is not 0: for data N(mu, sd^2 I) it is exactly 1 at every sigma.
 *
 * @example
 * const optimizer = tf.train.adam(1e-3);
 * optimizer.minimize(() => denoisingScoreMatchingLoss(network, batch, { seed: step }) as tf.Scalar);
 */
export function denoisingScoreMatchingLoss(
  denoiser: Denoiser,
  x0: tf.Tensor,
  options: DenoisingScoreMatchingOptions = {},
): tf.Tensor {
  assertDrawOptions('denoisingScoreMatchingLoss', denoiser, x0, options);
  const batch = x0.shape[0] as number;
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'per-sample') {
    throw new RangeError(
      `denoisingScoreMatchingLoss: options.reduction must be 'mean' or 'per-sample', got ${describeValue(reduction)}`,
    );
  }
  return tf.tidy(() => {
    const draws = drawsOf(x0, denoiser.classCount, options);
    const noised = tf.add(x0, multiplyPerSample(draws.noise, draws.sigma));
    const sigmas = draws.sigma;
    const denoised = denoiser.denoise(noised, sigmas, draws.labels);
    const weight = denoisingScoreMatchingWeight(sigmas, denoiser.sigmaData);
    const weighted = multiplyPerSample(tf.square(tf.sub(denoised, x0)), weight);
    if (reduction === 'mean') return tf.mean(weighted);
    return tf.mean(tf.reshape(weighted, [batch, -1]), 1);
  });
}

/** The random inputs of one denoising score-matching batch (see `denoisingScoreMatchingDraws`). */
export interface DenoisingScoreMatchingDraws {
  /** Noise level per sample, float32 [batch]. */
  sigma: tf.Tensor1D;
  /** Standard normal noise, shaped like x0. */
  noise: tf.Tensor;
  /** The conditioning labels after label dropout (int32 [batch]), when labels were given. */
  labels?: tf.Tensor;
}

/**
 * What `denoisingScoreMatchingLoss(denoiser, x0, options)` draws from `options.seed`: the noise
 * levels, the noise and the labels after dropout. The loss of any slice of the batch given these
 * (`sigma`, `noise`, `labels` of the slice, no dropout) equals that slice's part of the full loss,
 * so a batch can be split across threads with the draws of one thread.
 *
 * @example
 * const { sigma, noise, labels } = denoisingScoreMatchingDraws(network, x0, { seed: 3 });
 * const half = denoisingScoreMatchingLoss(network, x0.slice(0, 8), { sigma: sigma.slice(0, 8), noise: noise.slice(0, 8) });
 */
export function denoisingScoreMatchingDraws(
  denoiser: Denoiser,
  x0: tf.Tensor,
  options: Omit<DenoisingScoreMatchingOptions, 'reduction'> = {},
): DenoisingScoreMatchingDraws {
  assertDrawOptions('denoisingScoreMatchingDraws', denoiser, x0, options);
  // tf.tidy keeps the tensors of a returned plain object.
  return tf.tidy(
    () => drawsOf(x0, denoiser.classCount, options) as unknown as tf.TensorContainerObject,
  ) as unknown as DenoisingScoreMatchingDraws;
}

/** The checks of a denoising score-matching batch and its draw options, named for `caller`. */
function assertDrawOptions(
  caller: string,
  denoiser: Denoiser,
  x0: tf.Tensor,
  options: Omit<DenoisingScoreMatchingOptions, 'reduction'>,
): void {
  if (typeof denoiser !== 'object' || denoiser === null || typeof denoiser.denoise !== 'function') {
    throw new TypeError(
      `${caller}: denoiser must have a denoise method, got ${describeValue(denoiser)}`,
    );
  }
  if (!(x0 instanceof tf.Tensor) || x0.rank < 2) {
    throw new RangeError(
      `${caller}: x0 must be a tensor of shape [batch, ...], got ${x0 instanceof tf.Tensor ? `[${x0.shape}]` : describeValue(x0)}`,
    );
  }
  const { seed, sigma, noise, labels } = options;
  const labelDropout = options.labelDropout ?? 0;
  if (seed === undefined) {
    if (sigma === undefined || noise === undefined || labelDropout > 0) {
      throw new RangeError(
        `${caller}: options.seed is required unless options.sigma and options.noise are both given (and labelDropout is 0)`,
      );
    }
  } else {
    assertSeed(`${caller}: options.seed`, seed);
  }
  assertFiniteNumber(`${caller}: options.pMean`, options.pMean ?? EDM_P_MEAN);
  assertPositiveNumber(`${caller}: options.pStd`, options.pStd ?? EDM_P_STD);
  if (noise !== undefined && !(noise instanceof tf.Tensor && sameShape(noise.shape, x0.shape))) {
    throw new RangeError(
      `${caller}: options.noise must have the shape of x0 [${x0.shape}], got ${noise instanceof tf.Tensor ? `[${noise.shape}]` : describeValue(noise)}`,
    );
  }
  if (labels !== undefined) {
    assertLabels(`${caller}: options.labels`, labels, x0.shape[0] as number, denoiser.classCount);
  }
  assertFiniteNumber(`${caller}: options.labelDropout`, labelDropout);
  if (labelDropout < 0 || labelDropout > 1) {
    throw new RangeError(`${caller}: options.labelDropout must be in [0, 1], got ${labelDropout}`);
  }
  if (labelDropout > 0 && (labels === undefined || denoiser.classCount === undefined)) {
    throw new RangeError(
      `${caller}: options.labelDropout needs options.labels and a class-conditional denoiser`,
    );
  }
}

/** The draws of a checked batch: seed streams 0 (sigma), 1 (noise), 2 (label dropout). */
function drawsOf(
  x0: tf.Tensor,
  classCount: number | undefined,
  options: Omit<DenoisingScoreMatchingOptions, 'reduction'>,
): DenoisingScoreMatchingDraws {
  const batch = x0.shape[0] as number;
  const { seed, sigma, noise, labels, pMean = EDM_P_MEAN, pStd = EDM_P_STD } = options;
  const labelDropout = options.labelDropout ?? 0;
  const sigmas =
    sigma === undefined
      ? sampleLogNormalSigmas(batch, deriveSeed(seed as number, 0), pMean, pStd)
      : sigmaPerSample(sigma, batch);
  const standardNoise =
    noise ?? tf.randomNormal(x0.shape, 0, 1, 'float32', deriveSeed(seed as number, 1));
  let conditioning = labels;
  if (labels !== undefined && labelDropout > 0) {
    const dropped = tf.less(
      tf.randomUniform([batch], 0, 1, 'float32', deriveSeed(seed as number, 2)),
      labelDropout,
    );
    conditioning = tf.where(dropped, nullLabels(batch, classCount as number), labels);
  }
  return {
    sigma: sigmas as tf.Tensor1D,
    noise: standardNoise,
    ...(conditioning === undefined ? {} : { labels: conditioning }),
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
