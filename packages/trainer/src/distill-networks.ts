import type { Denoiser, EdmNetwork, FeatureDenoiser, Module } from '@fdistill/score';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The perturbation of the approximate R1 penalty: the seed of its noise, or the noise itself
 * (already scaled; rows of a whole batch's `r1PerturbationNoise` when a slice is computed apart).
 */
export type R1Perturbation = number | tf.Tensor;

/** A discriminator as the loop uses it: trainable head parameters and a mean logit per sample. */
export interface DistillDiscriminator {
  /** The trainable heads (the feature network, if any, stays frozen and outside this module). */
  readonly module: Module;
  /** Mean logit `ln(p/q)` estimate per sample [batch] for noised samples at sigma [batch]. */
  logits(noised: tf.Tensor, sigma: tf.Tensor1D, labels?: tf.Tensor1D): tf.Tensor1D;
  /** R1 penalty on noised real samples (mean over the batch), in the given form. */
  r1Penalty(
    noisedReal: tf.Tensor,
    sigma: tf.Tensor1D,
    form: 'approximate' | 'exact',
    perturbation: R1Perturbation,
    labels?: tf.Tensor1D,
  ): tf.Scalar;
  /**
   * The logits at the noised real samples and the R1 penalty (gamma 1) from one evaluation
   * there, when the discriminator can share it (a critic step then saves a forward pass).
   */
  realLogitsAndR1Penalty?(
    noisedReal: tf.Tensor,
    sigma: tf.Tensor1D,
    form: 'approximate' | 'exact',
    perturbation: R1Perturbation,
    labels?: tf.Tensor1D,
  ): { logits: tf.Tensor1D; penalty: tf.Scalar };
  /**
   * The frozen network whose feature taps the heads read, when there is one (image heads on the
   * teacher's encoder). When it is the run's teacher, a generator step gets the teacher's x0
   * prediction and the taps for the density ratio from one forward pass (`headLogits`).
   */
  readonly featureNetwork?: FeatureDenoiser;
  /** Mean logit per sample [batch] from taps of `featureNetwork` (what `logits` computes after it). */
  headLogits?(features: Record<string, tf.Tensor>): tf.Tensor1D;
}

/** The networks of an f-distill run. */
export interface DistillNetworks {
  /** Frozen teacher: a learned EDM network or the exact mixture. */
  teacher: Denoiser;
  /** One-step student G(z) = D(sigma_max z; sigma_max), trained. */
  student: EdmNetwork;
  /** Fake score D_psi of the student's distribution, trained. */
  fakeScore: EdmNetwork;
  /** Discriminator whose logit gives the density ratio, trained. */
  discriminator: DistillDiscriminator;
  /** EMA copy of the student (same architecture), updated after each generator step. */
  studentEma?: EdmNetwork;
}
