import { describeValue } from '@fdistill/utils';

/**
 * A Gaussian mixture with isotropic components, `p(x) = sum_k weights[k] N(x; means[k],
 * stds[k]^2 I)`. A plain structural type: `@fdistill/score`'s exact mixture teacher, or any
 * object with these three fields, fits. Weights must be positive; they are divided by their sum.
 */
export interface IsotropicGaussianMixture {
  readonly weights: readonly number[];
  readonly means: readonly (readonly number[])[];
  readonly stds: readonly number[];
}

/** A validated mixture in flat float64 arrays. */
export interface MixtureArrays {
  readonly components: number;
  readonly dimension: number;
  /** Weights divided by their sum. */
  readonly weights: Float64Array;
  /** `components x dimension`, row-major. */
  readonly means: Float64Array;
  readonly stds: Float64Array;
}

/**
 * Validates a mixture (matching lengths, finite means, positive weights and stds) and flattens it.
 *
 * @example mixtureArrays('mixture', { weights: [1, 1], means: [[-1], [1]], stds: [0.1, 0.1] }).weights // [0.5, 0.5]
 */
export function mixtureArrays(argument: string, mixture: IsotropicGaussianMixture): MixtureArrays {
  if (typeof mixture !== 'object' || mixture === null) {
    throw new TypeError(
      `${argument} must be { weights, means, stds }, got ${describeValue(mixture)}`,
    );
  }
  const { weights, means, stds } = mixture;
  if (!Array.isArray(weights) || weights.length === 0) {
    throw new TypeError(
      `${argument}.weights must be a non-empty number[], got ${describeValue(weights)}`,
    );
  }
  const components = weights.length;
  if (!Array.isArray(means) || means.length !== components) {
    throw new RangeError(
      `${argument}.means must hold ${components} means like weights, got ${describeValue(means)}`,
    );
  }
  if (!Array.isArray(stds) || stds.length !== components) {
    throw new RangeError(
      `${argument}.stds must hold ${components} numbers like weights, got ${describeValue(stds)}`,
    );
  }
  const dimension = Array.isArray(means[0]) ? means[0].length : 0;
  if (dimension === 0) {
    throw new RangeError(
      `${argument}.means[0] must be a non-empty number[], got ${describeValue(means[0])}`,
    );
  }
  const flatWeights = new Float64Array(components);
  const flatMeans = new Float64Array(components * dimension);
  const flatStds = new Float64Array(components);
  let weightSum = 0;
  for (let component = 0; component < components; component++) {
    const weight = weights[component];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
      throw new RangeError(
        `${argument}.weights[${component}] must be a finite number > 0, got ${describeValue(weight)}`,
      );
    }
    const std = stds[component];
    if (typeof std !== 'number' || !Number.isFinite(std) || std <= 0) {
      throw new RangeError(
        `${argument}.stds[${component}] must be a finite number > 0, got ${describeValue(std)}`,
      );
    }
    const mean = means[component];
    if (!Array.isArray(mean) || mean.length !== dimension) {
      throw new RangeError(
        `${argument}.means[${component}] must hold ${dimension} numbers like means[0], got ${describeValue(mean)}`,
      );
    }
    for (let axis = 0; axis < dimension; axis++) {
      const value = mean[axis];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new RangeError(
          `${argument}.means[${component}][${axis}] must be a finite number, got ${describeValue(value)}`,
        );
      }
      flatMeans[component * dimension + axis] = value;
    }
    flatWeights[component] = weight;
    flatStds[component] = std;
    weightSum += weight;
  }
  for (let component = 0; component < components; component++) {
    flatWeights[component] = (flatWeights[component] as number) / weightSum;
  }
  return { components, dimension, weights: flatWeights, means: flatMeans, stds: flatStds };
}
