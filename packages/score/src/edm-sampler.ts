import {
  assertFiniteNumber,
  assertIntegerAtLeast,
  assertPositiveNumber,
  describeValue,
} from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels } from './class-labels.js';
import { GuidedDenoiser } from './classifier-free-guidance.js';
import type { Denoiser } from './denoiser.js';
import { assertSeed, deriveSeed } from './derive-seed.js';
import { type KarrasGridOptions, karrasSigmas } from './karras-sigmas.js';

/** Options shared by every sampler. */
export interface SamplerOptions extends KarrasGridOptions {
  /** The initial noise z ~ N(0, I) [batch, ...]; sampling starts at `z * sigmaMax`. */
  noise?: tf.Tensor;
  /** Seed of z (stream 0, when `noise` is not given) and of the churn noise (streams 1, 2, ...). */
  seed?: number;
  /** Shape of z when it is drawn from `seed`, e.g. [batch, dimension]. */
  shape?: number[];
  /** Number of steps N of the Karras grid; default 18 (35 evaluations with Heun). */
  steps?: number;
  /** Class labels, int32 [batch], for a class-conditional denoiser. */
  labels?: tf.Tensor;
  /** Classifier-free guidance weight w (1: none); default 1. Needs labels. */
  guidance?: number;
  /** The null label of guidance; default the denoiser's `classCount`. */
  nullLabel?: number;
}

/** EDM's stochastic churn (Karras et al. 2022, Algorithm 2). */
export interface ChurnOptions {
  /** S_churn: total churn, `gamma_i = min(S_churn / N, sqrt(2) - 1)`; 0 turns it off. */
  churn?: number;
  /** S_min: churn only where sigma >= this; default 0. */
  churnSigmaMin?: number;
  /** S_max: churn only where sigma <= this; default Infinity. */
  churnSigmaMax?: number;
  /** S_noise: scale of the added noise; default 1. */
  churnNoiseScale?: number;
}

/** Options of `edmSampler`: a solver, churn, and the common options. */
export interface EdmSamplerOptions extends SamplerOptions, ChurnOptions {
  /** `'heun'` (second order, default) or `'euler'` (first order). */
  solver?: 'heun' | 'euler';
}

/** What a sampler returns. */
export interface SamplerResult {
  /** The samples, shaped like z. */
  samples: tf.Tensor;
  /**
   * Evaluations of the (guided) denoiser: Heun 2N - 1, Euler N. One guided evaluation is one
   * batched call of the network on the conditional and unconditional inputs together.
   */
  networkEvaluations: number;
}

/** EDM's churn settings for ImageNet-64 (Karras et al. 2022, Table 5). */
export const EDM_STOCHASTIC_DEFAULTS = {
  churn: 40,
  churnSigmaMin: 0.05,
  churnSigmaMax: 50,
  churnNoiseScale: 1.003,
} as const satisfies ChurnOptions;

/**
 * EDM's sampler (Karras et al. 2022, Algorithm 2) on the Karras grid `karrasSigmas(steps)`:
 * start at `x = z t_0`; at each step optionally raise the noise to `t_hat = (1 + gamma) t_i`
 * (churn), take an Euler step of `dx/dt = (x - D(x; t)) / t` to `t_(i+1)`, and with the Heun
 * solver correct it with the slope there, except on the last step (`t_N = 0`).
 * Every intermediate tensor is freed; the caller owns `samples`.
 *
 * @example
 * const { samples, networkEvaluations } = edmSampler(mixture, { seed: 1, shape: [512, 2] }); // 35
 */
export function edmSampler(denoiser: Denoiser, options: EdmSamplerOptions = {}): SamplerResult {
  if (typeof denoiser !== 'object' || denoiser === null || typeof denoiser.denoise !== 'function') {
    throw new TypeError(
      `edmSampler: denoiser must have a denoise method, got ${describeValue(denoiser)}`,
    );
  }
  const steps = options.steps ?? 18;
  assertIntegerAtLeast('edmSampler: options.steps', steps, 1);
  const solver = options.solver ?? 'heun';
  if (solver !== 'heun' && solver !== 'euler') {
    throw new RangeError(
      `edmSampler: options.solver must be 'heun' or 'euler', got ${describeValue(solver)}`,
    );
  }
  const churn = options.churn ?? 0;
  const churnSigmaMin = options.churnSigmaMin ?? 0;
  const churnSigmaMax = options.churnSigmaMax ?? Number.POSITIVE_INFINITY;
  const churnNoiseScale = options.churnNoiseScale ?? 1;
  assertFiniteNumber('edmSampler: options.churn', churn);
  if (churn < 0) throw new RangeError(`edmSampler: options.churn must be >= 0, got ${churn}`);
  if (!(churnSigmaMin >= 0)) {
    throw new RangeError(
      `edmSampler: options.churnSigmaMin must be >= 0, got ${describeValue(churnSigmaMin)}`,
    );
  }
  if (!(churnSigmaMax >= churnSigmaMin)) {
    throw new RangeError(
      `edmSampler: options.churnSigmaMax must be >= options.churnSigmaMin (${churnSigmaMin}), got ${describeValue(churnSigmaMax)}`,
    );
  }
  assertPositiveNumber('edmSampler: options.churnNoiseScale', churnNoiseScale);
  const { seed, labels } = options;
  if (seed !== undefined) assertSeed('edmSampler: options.seed', seed);
  if (churn > 0 && seed === undefined) {
    throw new RangeError('edmSampler: options.seed is required when options.churn > 0');
  }
  const guidance = options.guidance ?? 1;
  assertFiniteNumber('edmSampler: options.guidance', guidance);
  const sigmas = karrasSigmas(steps, options);

  const initial = initialNoise(options);
  const batch = initial.shape[0] as number;
  try {
    if (labels !== undefined) {
      assertLabels(
        'edmSampler: options.labels',
        labels,
        batch,
        denoiser.classCount ?? options.nullLabel,
      );
    }
    if (guidance !== 1 && labels === undefined) {
      throw new RangeError(`edmSampler: options.guidance ${guidance} needs options.labels`);
    }
  } catch (error) {
    if (initial !== options.noise) initial.dispose();
    throw error;
  }
  const model =
    guidance === 1
      ? denoiser
      : new GuidedDenoiser(
          denoiser,
          guidance,
          options.nullLabel === undefined ? {} : { nullLabel: options.nullLabel },
        );
  let networkEvaluations = 0;
  const slope = (x: tf.Tensor, sigma: number): tf.Tensor => {
    networkEvaluations += 1;
    return tf.div(tf.sub(x, model.denoise(x, sigma, labels)), sigma);
  };

  let x = tf.tidy(() => tf.mul(initial, sigmas[0] as number));
  if (initial !== options.noise) initial.dispose();
  for (let i = 0; i < steps; i++) {
    const current = sigmas[i] as number;
    const next = sigmas[i + 1] as number;
    const gamma =
      churn > 0 && current >= churnSigmaMin && current <= churnSigmaMax
        ? Math.min(churn / steps, Math.SQRT2 - 1)
        : 0;
    const raised = current * (1 + gamma);
    const previous = x;
    x = tf.tidy(() => {
      let start = previous;
      if (gamma > 0) {
        const epsilon = tf.randomNormal(
          previous.shape,
          0,
          1,
          'float32',
          deriveSeed(seed as number, i + 1),
        );
        const scale = Math.sqrt(raised * raised - current * current) * churnNoiseScale;
        start = tf.add(previous, tf.mul(epsilon, scale));
      }
      const derivative = slope(start, raised);
      const euler = tf.add(start, tf.mul(derivative, next - raised));
      if (solver === 'euler' || i === steps - 1) return euler;
      const corrected = slope(euler, next);
      return tf.add(start, tf.mul(tf.add(derivative, corrected), (next - raised) / 2));
    });
    previous.dispose();
  }
  return { samples: x, networkEvaluations };
}

/**
 * EDM's deterministic second-order sampler (Heun, no churn): 2N - 1 evaluations, 35 for N = 18.
 *
 * @example const { samples } = heunSampler(mixture, { seed: 1, shape: [1024, 2], steps: 18 });
 */
export function heunSampler(denoiser: Denoiser, options: SamplerOptions = {}): SamplerResult {
  return edmSampler(denoiser, { ...options, solver: 'heun', churn: 0 });
}

/**
 * The deterministic first-order sampler (Euler, no churn): N evaluations.
 *
 * @example const { samples } = eulerSampler(mixture, { seed: 1, shape: [1024, 2], steps: 40 });
 */
export function eulerSampler(denoiser: Denoiser, options: SamplerOptions = {}): SamplerResult {
  return edmSampler(denoiser, { ...options, solver: 'euler', churn: 0 });
}

/**
 * EDM's stochastic sampler: Heun with churn, by default EDM's ImageNet-64 settings
 * (`S_churn = 40, S_min = 0.05, S_max = 50, S_noise = 1.003`). Needs a seed.
 *
 * @example const { samples } = stochasticSampler(mixture, { seed: 1, shape: [1024, 2], churn: 10 });
 */
export function stochasticSampler(
  denoiser: Denoiser,
  options: SamplerOptions & ChurnOptions = {},
): SamplerResult {
  return edmSampler(denoiser, { ...EDM_STOCHASTIC_DEFAULTS, ...options, solver: 'heun' });
}

function initialNoise(options: SamplerOptions): tf.Tensor {
  const { noise, seed, shape } = options;
  if (noise !== undefined) {
    if (!(noise instanceof tf.Tensor) || noise.rank < 1 || noise.size === 0) {
      throw new RangeError(
        `edmSampler: options.noise must be a non-empty tensor [batch, ...], got ${describeValue(noise)}`,
      );
    }
    if (shape !== undefined) {
      throw new RangeError('edmSampler: give options.noise or options.shape, not both');
    }
    return noise;
  }
  if (seed === undefined || shape === undefined) {
    throw new RangeError(
      'edmSampler: give options.noise, or options.seed and options.shape to draw it',
    );
  }
  assertShape('edmSampler: options.shape', shape);
  return samplerNoise(seed, shape);
}

/** Throws a RangeError naming `name` unless `shape` is a non-empty array of integers >= 1. */
function assertShape(name: string, shape: unknown): asserts shape is number[] {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new RangeError(`${name} must be a non-empty array, got ${describeValue(shape)}`);
  }
  for (const [i, size] of shape.entries()) assertIntegerAtLeast(`${name}[${i}]`, size, 1);
}

/**
 * The initial noise z ~ N(0, I) that every sampler here draws from `options.seed` when it is
 * given no `noise` (stream 0 of the seed): handing it as `noise` gives the same samples, so a
 * batch can be drawn here and solved elsewhere (another thread, another process).
 *
 * @example heunSampler(teacher, { noise: samplerNoise(7, [8, 32, 32, 1]), labels }); // = { seed: 7, shape: [8, 32, 32, 1] }
 */
export function samplerNoise(seed: number, shape: number[]): tf.Tensor {
  assertSeed('samplerNoise: seed', seed);
  assertShape('samplerNoise: shape', shape);
  return tf.randomNormal(shape, 0, 1, 'float32', deriveSeed(seed, 0));
}
