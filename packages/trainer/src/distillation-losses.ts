import { stopGradient } from '@fdistill/divergence';
import { multiplyPerSample } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';

/** Added to the DMD normalizer `mean |x - T|` (as FastGen). */
const NORMALIZER_EPSILON = 1e-6;

/**
 * The f-distill generator loss (paper Theorem 1, Eq. 4; DMD2's variational score distillation with a
 * per-sample weight): `w_i = weights_i / (mean_elements |x_i - T_i| + 1e-6)`,
 * `grad_i = w_i (F_i - T_i)`, `L = 0.5 mean((x - stopgrad(x - grad))^2)`, whose gradient with
 * respect to x is `grad / numel`: x moves toward the teacher's x0 prediction T and away from the
 * fake score's F. `weights` are the normalized `hbar` (all ones for reverse-KL, i.e. DMD2).
 * T, F and the weights carry no gradient.
 *
 * @example const loss = fDistillLoss(generated, teacherX0, fakeX0, hbar);
 */
export function fDistillLoss(
  generated: tf.Tensor,
  teacherX0: tf.Tensor,
  fakeX0: tf.Tensor,
  weights: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const axes = generated.shape.slice(1).map((_, index) => index + 1);
    const perSample = [generated.shape[0] as number, ...generated.shape.slice(1).map(() => 1)];
    const teacher = stopGradient(teacherX0);
    const normalizer = tf.add(
      tf.mean(tf.abs(tf.sub(stopGradient(generated), teacher)), axes, true),
      NORMALIZER_EPSILON,
    );
    const scale = tf.div(tf.reshape(stopGradient(weights), perSample), normalizer);
    const direction = tf.mul(scale, tf.sub(stopGradient(fakeX0), teacher));
    const target = stopGradient(tf.sub(generated, direction));
    return tf.mul(tf.mean(tf.square(tf.sub(generated, target))), 0.5) as tf.Scalar;
  });
}

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
