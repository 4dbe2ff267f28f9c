import { discriminatorLoss } from '@fdistill/discriminator';
import * as tf from '@tensorflow/tfjs-core';
import type { DistillDiscriminator, R1Perturbation } from './distill-networks.js';
import type { R1Form } from './distill-options.js';

/** Noised samples of one side of the critic's loss, with their noise levels and labels. */
export interface CriticBatch {
  /** Noised samples [batch, ...]. */
  noised: tf.Tensor;
  /** Their noise levels [batch]. */
  sigma: tf.Tensor1D;
  /** Their class labels [batch], for a class-conditional discriminator. */
  labels?: tf.Tensor1D;
}

/** The critic's loss and, when R1 is on, its penalty before the gamma weight (`criticLoss`). */
export interface CriticLossTerms {
  /** `softplus(logit_fake) + softplus(-logit_real)` (batch means) `+ gamma * penalty`. */
  loss: tf.Scalar;
  /** The R1 penalty at gamma 1; absent when `r1.gamma` is 0. */
  penalty?: tf.Scalar;
}

/**
 * The discriminator's loss (SPEC.md §5): the logistic loss
 * `mean softplus(D(fake)) + mean softplus(-D(real))` plus `gamma` times the R1 penalty on the
 * noised real samples (in `r1.form`; the perturbation noise drawn from `perturbation` when it is a
 * seed, or given: rows of a whole batch's noise for a slice). When the
 * discriminator shares the real logits with its penalty (`realLogitsAndR1Penalty`), one
 * evaluation at the real samples serves both. It makes no `tf.tidy` of its own, so that a caller
 * inside `tf.variableGrads` can keep the penalty.
 *
 * @example const { loss } = criticLoss(discriminator, fake, real, { gamma: 1, form: 'approximate' }, 7);
 */
export function criticLoss(
  discriminator: Pick<DistillDiscriminator, 'logits' | 'r1Penalty' | 'realLogitsAndR1Penalty'>,
  fake: CriticBatch,
  real: CriticBatch,
  r1: { gamma: number; form: R1Form },
  perturbation: R1Perturbation,
): CriticLossTerms {
  const fakeLogits = discriminator.logits(fake.noised, fake.sigma, fake.labels);
  const shared =
    r1.gamma === 0
      ? undefined
      : discriminator.realLogitsAndR1Penalty?.(
          real.noised,
          real.sigma,
          r1.form,
          perturbation,
          real.labels,
        );
  const realLogits = shared?.logits ?? discriminator.logits(real.noised, real.sigma, real.labels);
  const logistic = discriminatorLoss(realLogits, fakeLogits);
  if (r1.gamma === 0) return { loss: logistic };
  const penalty =
    shared?.penalty ??
    discriminator.r1Penalty(real.noised, real.sigma, r1.form, perturbation, real.labels);
  return { loss: tf.add(logistic, tf.mul(penalty, r1.gamma)) as tf.Scalar, penalty };
}
