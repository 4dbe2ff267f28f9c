import { deriveSeed } from '@fdistill/score';
import { assertFiniteNumber, assertPositiveNumber, describeValue } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorOutput } from './conv-discriminator.js';

/** The discriminator as a function of its (noised, real) input: logits [batch] or a `ConvDiscriminator` output. */
export type LogitFunction = (x: tf.Tensor) => tf.Tensor | DiscriminatorOutput;

/** FastGen's perturbation size of the approximate R1 penalty. */
export const DEFAULT_R1_PERTURBATION = 0.1;

/**
 * The exact R1 penalty (Mescheder et al., 2018) `gamma / 2 * mean_i ||grad_x D(x_i)||^2`, with
 * `D` the logit (the mean logit over heads for a `ConvDiscriminator` output) and `x_i` the noised
 * real samples. `mean_i` runs over the batch and `||.||^2` sums over every element of a sample.
 * The per-sample gradients come from one backward pass of `sum_i D(x_i)`, so `D` must treat
 * samples independently (no batch norm; GroupNorm is fine).
 *
 * Training on it needs a second derivative: tfjs differentiates the gradient computed here
 * when you take gradients of the penalty (`discriminatorGradients`). That is exact for the
 * networks of f-distill (`MlpDiscriminator`, `ConvDiscriminator` on a `UNetDenoiser` teacher:
 * matMul, conv2d with any stride and padding, GroupNorm, softplus, concat, reshape, and the
 * `twiceDifferentiable*` activations). It fails with an error for ops whose gradient tfjs cannot
 * differentiate (`tf.image.resizeNearestNeighbor` / `resizeBilinear`, `avgPool`, `maxPool`), and
 * is silently WRONG through `tf.sigmoid`, `tf.tanh`, `tf.exp`, `tf.softmax`, `tf.logSoftmax`,
 * `tf.elu` (their gradients read a saved output that tfjs cuts from the tape). Elsewhere, use
 * `approximateR1Penalty`.
 *
 * @example
 * const penalty = exactR1Penalty((x) => discriminator.forward(x, sigma), realNoised, 1);
 */
export function exactR1Penalty(
  logitsOf: LogitFunction,
  realNoised: tf.Tensor,
  gamma: number,
): tf.Scalar {
  checkArguments('exactR1Penalty', logitsOf, realNoised);
  assertNonNegative('exactR1Penalty: gamma', gamma);
  if (gamma === 0) return tf.scalar(0);
  return tf.tidy(() => {
    let gradient: tf.Tensor;
    try {
      gradient = tf.grad((x: tf.Tensor) => tf.sum(meanLogit(logitsOf(x))))(realNoised);
    } catch (error) {
      throw explainGradientError('exactR1Penalty', error, 'first');
    }
    const batch = realNoised.shape[0] as number;
    const squaredNorms = tf.sum(tf.square(tf.reshape(gradient, [batch, -1])), 1);
    return tf.mul(gamma / 2, tf.mean(squaredNorms)) as tf.Scalar;
  });
}

/** Options of `approximateR1Penalty`. */
export interface ApproximateR1Options {
  /** Weight of the penalty (paper Table 5: 1 on CIFAR-10, 0 on ImageNet-64). */
  gamma: number;
  /** Standard deviation of the perturbation; default 0.1 (FastGen). */
  perturbation?: number;
  /** Seed of the perturbation noise (through `deriveSeed`, so 0 is a seed too); random when left out. */
  seed?: number;
  /**
   * The perturbation itself (already scaled, shaped like the real samples), in place of a draw
   * from `seed`: e.g. rows of a larger batch's `r1PerturbationNoise`, so that a slice of a batch
   * gets the penalty terms the whole batch would.
   */
  noise?: tf.Tensor;
  /** `logitsOf(realNoised)`, when already computed for the GAN loss (saves one forward pass). */
  realLogits?: tf.Tensor | DiscriminatorOutput;
}

/**
 * FastGen's approximate R1 penalty, `gamma * mean((D(x) - D(x + perturbation * n))^2)` with
 * `n ~ N(0, I)` and `x` the noised real samples: a finite-difference stand-in for the gradient
 * norm (`E_n (D(x + a n) - D(x))^2 ~ a^2 ||grad_x D(x)||^2`), so it needs no double backprop and
 * works through any op. For a `ConvDiscriminator` output the mean runs over the batch and the
 * heads. Both evaluations carry gradients to the discriminator. Scale: the same `gamma` gives
 * `approximate ~ gamma * a^2 * mean ||grad||^2` against `exact = gamma / 2 * mean ||grad||^2`
 * (a factor `2 a^2 = 0.02` at a = 0.1); FastGen uses `gamma` as written here.
 *
 * @example
 * const penalty = approximateR1Penalty((x) => discriminator.forward(x, sigma), realNoised, { gamma: 1 });
 */
export function approximateR1Penalty(
  logitsOf: LogitFunction,
  realNoised: tf.Tensor,
  options: ApproximateR1Options,
): tf.Scalar {
  checkArguments('approximateR1Penalty', logitsOf, realNoised);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `approximateR1Penalty(options): options must be an object with gamma, got ${describeValue(options)}`,
    );
  }
  const { gamma, seed } = options;
  const perturbation = options.perturbation ?? DEFAULT_R1_PERTURBATION;
  assertNonNegative('approximateR1Penalty: options.gamma', gamma);
  assertPositiveNumber('approximateR1Penalty: options.perturbation', perturbation);
  if (seed !== undefined) assertFiniteNumber('approximateR1Penalty: options.seed', seed);
  if (options.noise !== undefined && !arraysEqual(options.noise.shape, realNoised.shape)) {
    throw new RangeError(
      `approximateR1Penalty: options.noise must be shaped like the real samples [${realNoised.shape}], got [${options.noise.shape}]`,
    );
  }
  if (gamma === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const noise = options.noise ?? r1PerturbationNoise(realNoised.shape, perturbation, seed);
    const real = headLogits(options.realLogits ?? logitsOf(realNoised));
    const perturbed = headLogits(logitsOf(tf.add(realNoised, noise)));
    if (!arraysEqual(real.shape, perturbed.shape)) {
      throw new RangeError(
        `approximateR1Penalty: logits of the real and perturbed inputs differ in shape ([${real.shape}] vs [${perturbed.shape}]); check options.realLogits`,
      );
    }
    return tf.mul(gamma, tf.mean(tf.squaredDifference(real, perturbed))) as tf.Scalar;
  });
}

/**
 * The perturbation `approximateR1Penalty` adds to real samples of `shape`: normal noise with
 * standard deviation `perturbation`, from `seed` (through `deriveSeed`; random when left out).
 * Draw it for a whole batch and hand rows of it to the penalty (`options.noise`) to compute a
 * batch's penalty in slices.
 *
 * @example const noise = r1PerturbationNoise([256, 2], DEFAULT_R1_PERTURBATION, 7);
 */
export function r1PerturbationNoise(
  shape: readonly number[],
  perturbation: number,
  seed?: number,
): tf.Tensor {
  // tfjs treats seed 0 as no seed: derive a non-zero one.
  return tf.randomNormal(
    [...shape],
    0,
    perturbation,
    'float32',
    seed === undefined ? undefined : deriveSeed(seed, 0),
  );
}

/**
 * Rewrites tfjs's "gradient function not found for <Kernel>" into an error that says which
 * derivative failed and what to do instead. Other errors pass through unchanged.
 */
export function explainGradientError(
  context: string,
  error: unknown,
  order: 'first' | 'second',
): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const match = /gradient function not found for (\w+)/i.exec(message);
  if (match === null) return error;
  const kernel = match[1];
  const reason =
    order === 'second'
      ? `tfjs has no gradient for the kernel ${kernel}, the gradient of an op in the discriminator or the teacher, so it cannot take the second derivative that the exact R1 penalty needs`
      : `tfjs has no gradient for the kernel ${kernel}, so it cannot differentiate the logit with respect to the input`;
  return new Error(
    `${context}: ${reason}. Use approximateR1Penalty (FastGen's finite-difference form, no double backprop), or build the network from ops tfjs can differentiate twice (e.g. nearestUpsample2x instead of tf.image.resizeNearestNeighbor, a strided convolution instead of pooling).`,
    { cause: error },
  );
}

function meanLogit(logits: tf.Tensor | DiscriminatorOutput): tf.Tensor {
  if (logits instanceof tf.Tensor) return logits;
  if (typeof logits === 'object' && logits !== null && logits.meanLogit instanceof tf.Tensor) {
    return logits.meanLogit;
  }
  throw new TypeError('R1: logitsOf(x) must return a tf.Tensor or a DiscriminatorOutput');
}

function headLogits(logits: tf.Tensor | DiscriminatorOutput): tf.Tensor {
  if (logits instanceof tf.Tensor) return logits;
  if (typeof logits === 'object' && logits !== null && typeof logits.logits === 'object') {
    return tf.stack(Object.values(logits.logits));
  }
  throw new TypeError('R1: logitsOf(x) must return a tf.Tensor or a DiscriminatorOutput');
}

function checkArguments(context: string, logitsOf: unknown, realNoised: unknown): void {
  if (typeof logitsOf !== 'function') {
    throw new TypeError(
      `${context}(logitsOf): logitsOf must be a function of the input, got ${describeValue(logitsOf)}`,
    );
  }
  if (!(realNoised instanceof tf.Tensor) || realNoised.rank < 1 || realNoised.size === 0) {
    throw new RangeError(
      `${context}(realNoised): realNoised must be a non-empty tensor [batch, ...]`,
    );
  }
}

function assertNonNegative(argument: string, value: unknown): asserts value is number {
  assertFiniteNumber(argument, value);
  if (value < 0) throw new RangeError(`${argument} must be >= 0, got ${value}`);
}

function arraysEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
