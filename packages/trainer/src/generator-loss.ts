import { generatorLoss as ganGeneratorLoss } from '@fdistill/discriminator';
import { stopGradient } from '@fdistill/divergence';
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

/** What the generator's loss is made of (`distillGeneratorLoss`). */
export interface GeneratorLossInputs {
  /** The student's output `x = G(z)` [batch, ...], on the tape. */
  generated: tf.Tensor;
  /** The teacher's x0 prediction T at the noised student samples (no gradient). */
  teacherX0: tf.Tensor;
  /** The fake score's x0 prediction F there (no gradient). */
  fakeX0: tf.Tensor;
  /** The per-sample weights `hbar` [batch] (no gradient). */
  weights: tf.Tensor1D;
  /** The discriminator's logits [batch] at the noised student samples, on the tape. */
  logits: tf.Tensor;
}

/** The generator's loss and its two terms (`distillGeneratorLoss`). */
export interface GeneratorLossTerms {
  /** `fDistillWeight * fDistill + ganWeight * gan`. */
  loss: tf.Scalar;
  /** The f-distill term `fDistillLoss(generated, teacherX0, fakeX0, weights)`. */
  fDistill: tf.Scalar;
  /** The non-saturating GAN term `mean(softplus(-logits))`. */
  gan: tf.Scalar;
}

/**
 * The generator's total loss (paper Algorithm 1, SPEC.md §3):
 * `fDistillWeight * L_fdistill + ganWeight * L_GAN_gen`, with `L_fdistill` from `fDistillLoss` and
 * `L_GAN_gen = mean(softplus(-logits))`. Returns the total and both terms; it makes no `tf.tidy`
 * of its own, so that a caller inside `tf.variableGrads` can keep the terms.
 *
 * @example const { loss } = distillGeneratorLoss({ generated, teacherX0, fakeX0, weights, logits }, { fDistillWeight: 1, ganWeight: 1e-3 });
 */
export function distillGeneratorLoss(
  inputs: GeneratorLossInputs,
  termWeights: { fDistillWeight: number; ganWeight: number },
): GeneratorLossTerms {
  const { generated, teacherX0, fakeX0, weights, logits } = inputs;
  const fDistill = fDistillLoss(generated, teacherX0, fakeX0, weights);
  const gan = ganGeneratorLoss(logits);
  const loss = tf.add(
    tf.mul(fDistill, termWeights.fDistillWeight),
    tf.mul(gan, termWeights.ganWeight),
  ) as tf.Scalar;
  return { loss, fDistill, gan };
}
