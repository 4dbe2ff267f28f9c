import * as tf from '@tensorflow/tfjs-core';

/**
 * Returns a copy of `x` through which no gradient flows (tfjs has no built-in stop-gradient):
 * inside `tf.grad` or `optimizer.minimize`, the result is a constant.
 *
 * @example
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, stopGradient(x))));
 * g(tf.tensor([3])); // [3], not [6]
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const detach = tf.customGrad((...inputs) => ({
    value: tf.clone(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
  }));
  return detach(x) as T;
}
