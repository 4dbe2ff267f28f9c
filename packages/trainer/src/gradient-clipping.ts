import * as tf from '@tensorflow/tfjs-core';

/**
 * Scales gradients so that their global L2 norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`: factor `min(1, maxNorm / (norm + 1e-6))`), without reading anything back.
 * Returns the clipped gradients and the norm before clipping.
 *
 * @example const { gradients, norm } = clipByGlobalNorm(grads, 10);
 */
export function clipByGlobalNorm(
  gradients: Record<string, tf.Tensor>,
  maxNorm: number,
): { gradients: Record<string, tf.Tensor>; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  return tf.tidy(() => {
    const squares = Object.values(gradients).map((gradient) => tf.sum(tf.square(gradient)));
    const norm = tf.sqrt(tf.addN(squares)) as tf.Scalar;
    const factor = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const clipped: Record<string, tf.Tensor> = {};
    for (const [name, gradient] of Object.entries(gradients))
      clipped[name] = tf.mul(gradient, factor);
    return { gradients: clipped, norm };
  });
}
