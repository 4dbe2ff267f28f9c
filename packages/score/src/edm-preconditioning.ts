import * as tf from '@tensorflow/tfjs-core';

/** EDM's data standard deviation (data scaled to about [-1, 1]). */
export const DEFAULT_SIGMA_DATA = 0.5;

/** EDM's noise range. */
export const EDM_SIGMA_MIN = 0.002;
/** EDM's noise range. */
export const EDM_SIGMA_MAX = 80;

/** The EDM preconditioning coefficients at each sigma (each a tensor shaped like sigma). */
export type EdmCoefficients = {
  skip: tf.Tensor;
  out: tf.Tensor;
  input: tf.Tensor;
  noise: tf.Tensor;
};

/**
 * Karras et al. (2022) preconditioning: `c_skip = sd^2 / (sigma^2 + sd^2)`,
 * `c_out = sigma sd / sqrt(sigma^2 + sd^2)`, `c_in = 1 / sqrt(sigma^2 + sd^2)`,
 * `c_noise = ln(sigma) / 4`, so that `D(x; sigma) = c_skip x + c_out F(c_in x; c_noise)`.
 *
 * @example const { skip, out, input, noise } = edmCoefficients(tf.tensor1d([0.5]));
 */
export function edmCoefficients(sigma: tf.Tensor, sigmaData = DEFAULT_SIGMA_DATA): EdmCoefficients {
  return tf.tidy(() => {
    const variance = tf.add(tf.square(sigma), sigmaData * sigmaData);
    const root = tf.sqrt(variance);
    return {
      skip: tf.div(sigmaData * sigmaData, variance),
      out: tf.div(tf.mul(sigma, sigmaData), root),
      input: tf.reciprocal(root),
      noise: tf.div(tf.log(sigma), 4),
    };
  });
}

/**
 * A per-sample sigma as a tensor of shape [batch]: a number is broadcast to the batch, a tensor
 * of `batch` elements is flattened. Anything else throws, naming the argument.
 *
 * @example sigmaPerSample(2.5, 4) // tensor [2.5, 2.5, 2.5, 2.5]
 */
export function sigmaPerSample(sigma: number | tf.Tensor, batch: number): tf.Tensor1D {
  if (typeof sigma === 'number') {
    if (!(sigma > 0) || !Number.isFinite(sigma)) {
      throw new RangeError(`sigma must be a finite number > 0, got ${sigma}`);
    }
    return tf.fill([batch], sigma) as tf.Tensor1D;
  }
  if (!(sigma instanceof tf.Tensor) || sigma.size !== batch) {
    throw new RangeError(
      `sigma must be a number or a tensor with one value per sample (${batch}), got ${sigma instanceof tf.Tensor ? `shape [${sigma.shape}]` : typeof sigma}`,
    );
  }
  return tf.reshape(sigma, [batch]) as tf.Tensor1D;
}

/**
 * Reshapes a per-sample tensor [batch] to [batch, 1, ..., 1] so that it broadcasts against a
 * tensor of rank `rank`.
 */
export function broadcastPerSample(values: tf.Tensor, rank: number): tf.Tensor {
  return tf.reshape(values, [values.size, ...new Array(rank - 1).fill(1)]);
}

/**
 * `x * values` with one value per sample: x [batch, ...] times values [batch] broadcast over the
 * other axes. The values are repeated by a product with ones (exact) and multiplied elementwise,
 * because tfjs's cpu backend broadcasts a [batch, 1, ...] operand one index at a time, about 100
 * times slower than a same-shape product.
 *
 * @example multiplyPerSample(tf.ones([2, 3]), tf.tensor1d([2, 5])); // [[2, 2, 2], [5, 5, 5]]
 */
export function multiplyPerSample(x: tf.Tensor, values: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, repeatPerSample(values, x.shape)));
}

/**
 * One value per sample (values [batch]) repeated to `shape` [batch, ...], by a matrix product
 * with ones (exact: each entry is one value times 1).
 *
 * @example repeatPerSample(tf.tensor1d([2, 5]), [2, 3]); // [[2, 2, 2], [5, 5, 5]]
 */
export function repeatPerSample(values: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const batch = shape[0] ?? 0;
  if (values.size !== batch) {
    throw new RangeError(
      `repeatPerSample: values must have one value per sample (${batch}), got shape [${values.shape}]`,
    );
  }
  return tf.tidy(() => {
    const rest = shape.slice(1).reduce((product, size) => product * size, 1);
    const repeated = tf.matMul(tf.reshape(values, [batch, 1]), tf.ones([1, rest]));
    return tf.reshape(repeated, [...shape]);
  });
}
