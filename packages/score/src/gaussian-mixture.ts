import { assertIntegerAtLeast, assertPositiveNumber, describeValue } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels } from './class-labels.js';
import type { Denoiser } from './denoiser.js';
import { assertSeed, deriveSeed } from './derive-seed.js';
import {
  DEFAULT_SIGMA_DATA,
  multiplyPerSample,
  repeatPerSample,
  sigmaPerSample,
} from './edm-preconditioning.js';

/** The components of a `GaussianMixture`. */
export interface GaussianMixtureOptions {
  /** Mixture weights, one per component, each > 0; normalized to sum 1. Default: equal. */
  weights?: readonly number[];
  /** Component means, `componentCount` arrays of `dimension` numbers. */
  means: readonly (readonly number[])[];
  /** Isotropic standard deviation of each component (> 0), or one for all. */
  stds: number | readonly number[];
  /** EDM's sigma_data reported to samplers and the DSM loss; default 0.5. */
  sigmaData?: number;
}

/** A log-weight low enough to remove a component from a softmax, yet finite in float32. */
const EXCLUDED_LOG_WEIGHT = -1e30;

/**
 * The exact teacher: `p0 = sum_k pi_k N(mu_k, s_k^2 I)` in any dimension, noised to
 * `p_sigma = sum_k pi_k N(mu_k, v_k I)` with `v_k = s_k^2 + sigma^2`. Log-densities, scores,
 * denoisers `E[x0 | x]` and samples are all closed forms, computed in float32 with log-sum-exp
 * (stable from sigma = 0.002 to 80). It is a `Denoiser`: samplers and the DSM loss take it
 * wherever they take a network.
 *
 * It is also class-conditional, with one class per component: label `k` conditions on component
 * `k` (`p0 = N(mu_k, s_k^2 I)`), the null label `componentCount` (or no labels) is the full
 * mixture, an exact testbed for classifier-free guidance.
 *
 * @example
 * const mixture = new GaussianMixture({ means: [[-1, 0], [1, 0]], stds: 0.1, weights: [0.3, 0.7] });
 * const x = mixture.sample(1000, 1); // [1000, 2]
 * mixture.logDensity(x, 0.5); // [1000]
 */
export class GaussianMixture implements Denoiser {
  /** Mixture weights (normalized, sum 1), a frozen plain array. */
  readonly weights: number[];
  /** Component means, frozen plain arrays [componentCount][dimension]. */
  readonly means: number[][];
  /** Component standard deviations, a frozen plain array. */
  readonly stds: number[];
  readonly dimension: number;
  readonly componentCount: number;
  /** One class per component; the null label is `componentCount`. */
  readonly classCount: number;
  readonly sigmaData: number;

  constructor(options: GaussianMixtureOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `GaussianMixture: options must be an object, got ${describeValue(options)}`,
      );
    }
    const { means } = options;
    if (!Array.isArray(means) || means.length === 0) {
      throw new RangeError(
        `GaussianMixture: options.means must be a non-empty array of points, got ${describeValue(means)}`,
      );
    }
    const componentCount = means.length;
    const first = means[0];
    if (!Array.isArray(first) || first.length === 0) {
      throw new RangeError(
        `GaussianMixture: options.means[0] must be a non-empty array of numbers, got ${describeValue(first)}`,
      );
    }
    const dimension = first.length;
    for (const [k, mean] of means.entries()) {
      if (!Array.isArray(mean) || mean.length !== dimension) {
        throw new RangeError(
          `GaussianMixture: options.means[${k}] must be an array of ${dimension} numbers, got ${describeValue(mean)}`,
        );
      }
      for (const [j, value] of mean.entries()) {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new RangeError(
            `GaussianMixture: options.means[${k}][${j}] must be a finite number, got ${describeValue(value)}`,
          );
        }
      }
    }
    const stds =
      typeof options.stds === 'number'
        ? new Array<number>(componentCount).fill(options.stds)
        : options.stds;
    if (!Array.isArray(stds) || stds.length !== componentCount) {
      throw new RangeError(
        `GaussianMixture: options.stds must be a number or an array of ${componentCount} numbers, got ${describeValue(options.stds)}`,
      );
    }
    for (const [k, std] of stds.entries())
      assertPositiveNumber(`GaussianMixture: options.stds[${k}]`, std);
    const weights = options.weights ?? new Array<number>(componentCount).fill(1);
    if (!Array.isArray(weights) || weights.length !== componentCount) {
      throw new RangeError(
        `GaussianMixture: options.weights must be an array of ${componentCount} numbers, got ${describeValue(options.weights)}`,
      );
    }
    for (const [k, weight] of weights.entries()) {
      assertPositiveNumber(`GaussianMixture: options.weights[${k}]`, weight);
    }
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const sigmaData = options.sigmaData ?? DEFAULT_SIGMA_DATA;
    assertPositiveNumber('GaussianMixture: options.sigmaData', sigmaData);
    this.weights = Object.freeze(weights.map((weight) => weight / total)) as number[];
    this.means = Object.freeze(means.map((mean) => Object.freeze([...mean]))) as number[][];
    this.stds = Object.freeze([...stds]) as number[];
    this.dimension = dimension;
    this.componentCount = componentCount;
    this.classCount = componentCount;
    this.sigmaData = sigmaData;
  }

  /**
   * `ln p_sigma(x)` for x [batch, dimension]: [batch]. With labels, the log-density of each sample's
   * class (component), `ln N(x; mu_label, v_label I)`.
   *
   * @example mixture.logDensity(tf.zeros([4, 2]), 0.002); // [4]
   */
  logDensity(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor1D {
    this.checkInputs('logDensity', x, labels);
    return tf.tidy(() => normalizeRows(this.componentTerms(x, sigma, labels).logits).logSum);
  }

  /**
   * The posterior probability of each component given `x` at noise level sigma: [batch,
   * componentCount], rows summing to 1.
   *
   * @example mixture.responsibilities(x, 1); // [batch, 2]
   */
  responsibilities(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor2D {
    this.checkInputs('responsibilities', x, labels);
    return tf.tidy(() => normalizeRows(this.componentTerms(x, sigma, labels).logits).probabilities);
  }

  /**
   * `grad_x ln p_sigma(x) = sum_k g_k (mu_k - x) / v_k`: [batch, dimension].
   *
   * @example mixture.score(x, 0.5); // [batch, 2]
   */
  score(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor {
    this.checkInputs('score', x, labels);
    return tf.tidy(() => {
      const { logits, variance, difference } = this.componentTerms(x, sigma, labels);
      const weights = tf.div(normalizeRows(logits).probabilities, variance);
      return tf.neg(sumOverComponents(weights, difference));
    });
  }

  /**
   * `E[x0 | x] = sum_k g_k (mu_k + s_k^2 / v_k (x - mu_k))`: [batch, dimension]. Equals
   * `x + sigma^2 score(x)` (Tweedie), computed without the cancellation of that form.
   *
   * @example mixture.denoise(x, 80); // close to the mixture mean
   */
  denoise(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor {
    this.checkInputs('denoise', x, labels);
    return tf.tidy(() => {
      const { logits, variance, difference } = this.componentTerms(x, sigma, labels);
      const responsibilities = normalizeRows(logits).probabilities;
      const shrink = tf.div(tf.mul(responsibilities, this.componentVariances()), variance);
      return tf.add(
        tf.matMul(responsibilities, this.meanTensor()),
        sumOverComponents(shrink, difference),
      );
    });
  }

  /**
   * `count` exact samples of `p0` [count, dimension], reproducible from `seed`. With labels (int32
   * [count]), sample `i` comes from component `labels[i]` (the null label draws a component).
   *
   * @example const data = ringMixture().sample(4096, 7);
   */
  sample(count: number, seed: number, labels?: tf.Tensor): tf.Tensor2D {
    assertIntegerAtLeast('GaussianMixture.sample: count', count, 1);
    assertSeed('GaussianMixture.sample: seed', seed);
    if (labels !== undefined) {
      assertLabels('GaussianMixture.sample: labels', labels, count, this.classCount);
    }
    return tf.tidy(() => {
      let component = this.drawComponents(count, deriveSeed(seed, 0));
      if (labels !== undefined) {
        const isNull = tf.cast(tf.equal(labels, this.classCount), 'int32');
        component = tf.add(
          tf.mul(isNull, component),
          tf.mul(tf.sub(tf.scalar(1, 'int32'), isNull), labels),
        );
      }
      const noise = tf.randomNormal([count, this.dimension], 0, 1, 'float32', deriveSeed(seed, 1));
      const stds = tf.gather(tf.tensor1d(this.stds), component);
      return tf.add(
        tf.gather(this.meanTensor(), component),
        multiplyPerSample(noise, stds),
      ) as tf.Tensor2D;
    });
  }

  /**
   * The index of the nearest mean (Euclidean) of each row of x: int32 [batch]. This is how
   * samples are assigned to modes when counting them.
   *
   * @example mixture.nearestComponent(samples); // int32 [batch]
   */
  nearestComponent(x: tf.Tensor): tf.Tensor1D {
    this.checkInputs('nearestComponent', x, undefined);
    return tf.tidy(() => tf.argMin(tf.sum(tf.square(this.differences(x)), 2), 1) as tf.Tensor1D);
  }

  /** Component indices drawn from the weights by inverse CDF: int32 [count]. */
  private drawComponents(count: number, seed: number): tf.Tensor1D {
    return tf.tidy(() => {
      if (this.componentCount === 1) return tf.zeros([count], 'int32') as tf.Tensor1D;
      const thresholds: number[] = [];
      let cumulative = 0;
      for (const weight of this.weights.slice(0, -1)) {
        cumulative += weight;
        thresholds.push(cumulative);
      }
      const uniform = tf.randomUniform([count], 0, 1, 'float32', seed);
      const repeated = repeatPerSample(uniform, [count, thresholds.length]);
      const above = tf.greaterEqual(repeated, tf.tensor1d(thresholds));
      return tf.sum(tf.cast(above, 'int32'), 1) as tf.Tensor1D;
    });
  }

  /**
   * Per component: `logits` = ln pi_k + ln N(x; mu_k, v_k I) [batch, K] (restricted to the
   * labelled component where a label is given), `variance` v_k ([K], or [batch, K] for
   * per-sample sigmas) and `difference` x - mu_k [batch, K, dimension].
   *
   * Every elementwise op below has operands of the same shape, or a second operand matching
   * the trailing axes ([K], [K, dimension]): the fast paths of tfjs's cpu backend.
   */
  private componentTerms(
    x: tf.Tensor,
    sigma: number | tf.Tensor,
    labels: tf.Tensor | undefined,
  ): { logits: tf.Tensor2D; variance: tf.Tensor; difference: tf.Tensor3D } {
    const batch = x.shape[0] as number;
    const componentCount = this.componentCount;
    const difference = this.differences(x);
    const squaredDistance = tf.sum(tf.square(difference), 2);
    let variance: tf.Tensor;
    let logNormal: tf.Tensor;
    if (typeof sigma === 'number') {
      assertPositiveNumber('GaussianMixture: sigma', sigma);
      const variances = this.stds.map((std) => std * std + sigma * sigma);
      variance = tf.tensor1d(variances);
      logNormal = tf.add(
        tf.mul(squaredDistance, tf.tensor1d(variances.map((value) => -1 / (2 * value)))),
        tf.tensor1d(
          variances.map((value) => (-this.dimension / 2) * Math.log(2 * Math.PI * value)),
        ),
      );
    } else {
      const sigmaSquared = tf.square(sigmaPerSample(sigma, batch));
      variance = tf.add(
        repeatPerSample(sigmaSquared, [batch, componentCount]),
        this.componentVariances(),
      );
      logNormal = tf.sub(
        tf.mul(tf.log(tf.mul(variance, 2 * Math.PI)), -this.dimension / 2),
        tf.div(squaredDistance, tf.mul(variance, 2)),
      );
    }
    let logWeights: tf.Tensor = tf.tensor1d(this.weights.map((weight) => Math.log(weight)));
    if (labels !== undefined) {
      const isNull = repeatPerSample(tf.cast(tf.equal(labels, this.classCount), 'float32'), [
        batch,
        componentCount,
      ]);
      const chosen = tf.slice(
        tf.oneHot(labels, componentCount + 1),
        [0, 0],
        [batch, componentCount],
      );
      const conditional = tf.mul(tf.sub(tf.cast(chosen, 'float32'), 1), -EXCLUDED_LOG_WEIGHT);
      logWeights = tf.add(tf.mul(isNull, logWeights), tf.mul(tf.sub(1, isNull), conditional));
    }
    return { logits: tf.add(logNormal, logWeights) as tf.Tensor2D, variance, difference };
  }

  /** `x - mu_k`, `[batch, K, dimension]`: x repeated K times (a concat), minus the means [K, dimension]. */
  private differences(x: tf.Tensor): tf.Tensor3D {
    const batch = x.shape[0] as number;
    const repeated =
      this.componentCount === 1
        ? x
        : tf.concat(new Array<tf.Tensor>(this.componentCount).fill(x), 1);
    return tf.sub(
      tf.reshape(repeated, [batch, this.componentCount, this.dimension]),
      this.meanTensor(),
    ) as tf.Tensor3D;
  }

  private meanTensor(): tf.Tensor2D {
    return tf.tensor2d(this.means, [this.componentCount, this.dimension]);
  }

  /** The component variances s_k^2 [K]. */
  private componentVariances(): tf.Tensor1D {
    return tf.tensor1d(this.stds.map((std) => std * std));
  }

  private checkInputs(method: string, x: tf.Tensor, labels: tf.Tensor | undefined): void {
    if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== this.dimension) {
      throw new RangeError(
        `GaussianMixture.${method}: x must be a tensor of shape [batch, ${this.dimension}], got ${x instanceof tf.Tensor ? `[${x.shape}]` : describeValue(x)}`,
      );
    }
    if (labels !== undefined) {
      assertLabels(
        `GaussianMixture.${method}: labels`,
        labels,
        x.shape[0] as number,
        this.classCount,
      );
    }
  }
}

/**
 * Log-sum-exp and softmax over the rows of logits [batch, K], with the row maximum subtracted
 * first (so neither overflows).
 */
function normalizeRows(logits: tf.Tensor): { logSum: tf.Tensor1D; probabilities: tf.Tensor2D } {
  const maximum = tf.max(logits, 1);
  const exponentials = tf.exp(tf.sub(logits, repeatPerSample(maximum, logits.shape)));
  const total = tf.sum(exponentials, 1);
  return {
    logSum: tf.add(maximum, tf.log(total)) as tf.Tensor1D,
    probabilities: tf.div(exponentials, repeatPerSample(total, logits.shape)) as tf.Tensor2D,
  };
}

/** `sum_k weights[b, k] difference[b, k, :]`: [batch, dimension], as a batched matrix product. */
function sumOverComponents(weights: tf.Tensor, difference: tf.Tensor3D): tf.Tensor {
  const [batch, componentCount, dimension] = difference.shape;
  const rows = tf.reshape(weights, [batch, 1, componentCount]) as tf.Tensor3D;
  return tf.reshape(tf.matMul(rows, difference), [batch, dimension]);
}
