import * as tf from '@tensorflow/tfjs-core';

/** Copies of every parameter's values, to compare bit for bit later. */
export function snapshot(variables: tf.Variable[]): Float32Array[] {
  return variables.map((variable) => Float32Array.from(variable.dataSync() as Float32Array));
}

/** Whether two snapshots are equal bit for bit. */
export function identical(a: Float32Array[], b: Float32Array[]): boolean {
  return (
    a.length === b.length &&
    a.every((values, index) => {
      const other = b[index] as Float32Array;
      return (
        values.length === other.length &&
        Buffer.from(values.buffer).equals(Buffer.from(other.buffer))
      );
    })
  );
}

/** Largest absolute entry of a tensor. */
export function maxAbs(x: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0] as number);
}

/** The largest absolute difference over the largest absolute reference value (at least 1). */
export function relativeError(reference: Float32Array, actual: Float32Array): number {
  if (reference.length !== actual.length) return Number.POSITIVE_INFINITY;
  let scale = 1;
  let error = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i] as number));
    const difference = Math.abs((reference[i] as number) - (actual[i] as number));
    error = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : Math.max(error, difference);
  }
  return error / scale;
}

/** Mean and standard deviation of every value of a tensor, in float64. */
export function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  const mean = sum / values.length;
  let square = 0;
  for (let i = 0; i < values.length; i++) square += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(square / values.length) };
}

/**
 * The derivative of `f` along `directions` of `variables` two ways: from the gradients autodiff
 * gave (`sum <gradient, direction>`, a variable without a gradient adding 0), and as the central
 * difference `(f(v + step d) - f(v - step d)) / (2 step)`. The variables get their values back.
 */
export function directionalDerivatives(
  variables: tf.Variable[],
  directions: tf.Tensor[],
  grads: tf.NamedTensorMap,
  f: () => tf.Scalar,
  step: number,
): { autodiff: number; finite: number } {
  const autodiff = variables.reduce((sum, variable, index) => {
    const gradient = grads[variable.name];
    if (gradient === undefined) return sum;
    return sum + (tf.sum(tf.mul(gradient, directions[index] as tf.Tensor)).dataSync()[0] as number);
  }, 0);
  const original = variables.map((variable) => tf.clone(variable));
  const valueAt = (scale: number) => {
    variables.forEach((variable, index) => {
      variable.assign(
        tf.add(original[index] as tf.Tensor, tf.mul(directions[index] as tf.Tensor, scale)),
      );
    });
    return tf.tidy(() => f().dataSync()[0] as number);
  };
  const finite = (valueAt(step) - valueAt(-step)) / (2 * step);
  variables.forEach((variable, index) => {
    variable.assign(original[index] as tf.Tensor);
  });
  tf.dispose(original);
  return { autodiff, finite };
}
