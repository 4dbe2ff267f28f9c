import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertSeed, deriveSeed } from './derive-seed.js';
import { EDM_SIGMA_MAX, EDM_SIGMA_MIN } from './edm-preconditioning.js';

/** The range and curvature of a Karras noise grid. */
export interface KarrasGridOptions {
  /** Smallest nonzero sigma; default 0.002. */
  sigmaMin?: number;
  /** Largest sigma; default 80. */
  sigmaMax?: number;
  /** Curvature; default 7 (more steps near sigmaMin as rho grows). */
  rho?: number;
}

/** EDM's rho. */
export const DEFAULT_RHO = 7;

/**
 * The Karras et al. (2022) sampling grid for `steps` steps: `steps + 1` decreasing sigmas
 * `t_i = (smax^(1/rho) + i / (steps - 1) (smin^(1/rho) - smax^(1/rho)))^rho` for
 * `i < steps`, then `t_steps = 0`. One step gives `[sigmaMax, 0]`.
 *
 * @example karrasSigmas(18); // [80, 57.6, ..., 0.002, 0]
 */
export function karrasSigmas(steps: number, options: KarrasGridOptions = {}): number[] {
  assertIntegerAtLeast('karrasSigmas: steps', steps, 1);
  return [...karrasGrid('karrasSigmas', steps, options), 0];
}

/**
 * The training-time grid of FastGen's "polynomial" time sampling: `count` Karras sigmas from
 * sigmaMax (index 0) down to sigmaMin (index count - 1), without the final 0.
 *
 * @example karrasTimeGrid(1000); // [80, ..., 0.002], 1000 values
 */
export function karrasTimeGrid(count = 1000, options: KarrasGridOptions = {}): number[] {
  assertIntegerAtLeast('karrasTimeGrid: count', count, 2);
  return karrasGrid('karrasTimeGrid', count, options);
}

/** Options of `sampleTrainingSigmas`. */
export interface TrainingSigmaOptions extends KarrasGridOptions {
  /** Size of the Karras grid; default 1000. */
  count?: number;
  /** Smallest grid index drawn; default 2. */
  minIndex?: number;
  /** Largest grid index drawn (inclusive); default 998. */
  maxIndex?: number;
}

/**
 * Noise levels for f-distill's three losses (FastGen's "polynomial" sampling): an index
 * uniform over the integers `minIndex .. maxIndex` (both included; default 2 .. 998) of the
 * 1000-point `karrasTimeGrid`, and that grid's sigma: float32 [batch], seeded.
 *
 * @example const sigma = sampleTrainingSigmas(256, step); // values in [~0.0021, ~76]
 */
export function sampleTrainingSigmas(
  batch: number,
  seed: number,
  options: TrainingSigmaOptions = {},
): tf.Tensor1D {
  assertIntegerAtLeast('sampleTrainingSigmas: batch', batch, 1);
  assertSeed('sampleTrainingSigmas: seed', seed);
  const count = options.count ?? 1000;
  const grid = karrasTimeGrid(count, options);
  const minIndex = options.minIndex ?? 2;
  const maxIndex = options.maxIndex ?? count - 2;
  assertIntegerAtLeast('sampleTrainingSigmas: options.minIndex', minIndex, 0);
  assertIntegerAtLeast('sampleTrainingSigmas: options.maxIndex', maxIndex, minIndex);
  if (maxIndex > count - 1) {
    throw new RangeError(
      `sampleTrainingSigmas: options.maxIndex must be <= count - 1 (${count - 1}), got ${maxIndex}`,
    );
  }
  return tf.tidy(() => {
    const span = maxIndex - minIndex + 1;
    const uniform = tf.randomUniform([batch], 0, 1, 'float32', deriveSeed(seed, 0));
    // floor(u * span) is in 0 .. span - 1 (the minimum guards u * span rounding up to span).
    const offset = tf.minimum(tf.floor(tf.mul(uniform, span)), span - 1);
    const index = tf.cast(tf.add(offset, minIndex), 'int32');
    return tf.gather(tf.tensor1d(grid), index) as tf.Tensor1D;
  });
}

function karrasGrid(caller: string, count: number, options: KarrasGridOptions): number[] {
  const sigmaMin = options.sigmaMin ?? EDM_SIGMA_MIN;
  const sigmaMax = options.sigmaMax ?? EDM_SIGMA_MAX;
  const rho = options.rho ?? DEFAULT_RHO;
  assertPositiveNumber(`${caller}: options.sigmaMin`, sigmaMin);
  assertPositiveNumber(`${caller}: options.sigmaMax`, sigmaMax);
  assertPositiveNumber(`${caller}: options.rho`, rho);
  if (!(sigmaMax > sigmaMin)) {
    throw new RangeError(
      `${caller}: options.sigmaMax must be > options.sigmaMin (${sigmaMin}), got ${sigmaMax}`,
    );
  }
  if (count === 1) return [sigmaMax];
  const top = sigmaMax ** (1 / rho);
  const bottom = sigmaMin ** (1 / rho);
  const grid = Array.from(
    { length: count },
    (_, i) => (top + (i / (count - 1)) * (bottom - top)) ** rho,
  );
  // Exact ends (the powers round to within an ulp of them).
  grid[0] = sigmaMax;
  grid[count - 1] = sigmaMin;
  return grid;
}
