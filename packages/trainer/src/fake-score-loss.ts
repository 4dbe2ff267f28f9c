import { stopGradient } from '@fdistill/divergence';
import { multiplyPerSample } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The fake score's loss: plain x0-space mean squared error of its denoiser on the
 * noised generator output, `mean((D_psi(x + sigma eps; sigma) - x)^2)`, the generator detached;
 * with `weights` (one per sample, e.g. EDM's lambda(sigma)) each sample's error is scaled first.
 *
 * @example const loss = fakeScoreLoss(fakeX0, generated);
 */
export function fakeScoreLoss(
  fakeX0: tf.Tensor,
  generated: tf.Tensor,
  weights?: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const squared = tf.square(tf.sub(fakeX0, stopGradient(generated)));
    if (weights === undefined) return tf.mean(squared) as tf.Scalar;
    return tf.mean(multiplyPerSample(squared, weights)) as tf.Scalar;
  });
}
