import type * as tf from '@tensorflow/tfjs-core';

/**
 * Anything that denoises: a learned EDM network or the exact `GaussianMixture` teacher.
 * `x` is [batch, ...], `sigma` a number or one value per sample, `labels` int32 [batch] class
 * indices for class-conditional models (the null label is `classCount`; leaving `labels` out
 * means the null label, i.e. unconditional).
 */
export interface Denoiser {
  /** EDM's sigma_data. */
  readonly sigmaData: number;
  /**
   * Number of classes of a class-conditional denoiser (labels `0 .. classCount - 1`; the null
   * label `classCount` means unconditional); undefined for an unconditional one.
   */
  readonly classCount?: number;
  /** `E[x0 | x]`: the clean sample estimate at noise level sigma. */
  denoise(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor;
  /** `grad_x log p_sigma(x) = (D(x; sigma) - x) / sigma^2`. */
  score(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor;
}

/** A denoiser output together with named intermediate activations (feature taps). */
export type DenoiserOutputWithFeatures = {
  denoised: tf.Tensor;
  /** Activations by tap name, e.g. `'encoder.16'` for the U-Net encoder at resolution 16. */
  features: Record<string, tf.Tensor>;
};

/** A denoiser that can also return its feature taps, for discriminator heads. */
export interface FeatureDenoiser extends Denoiser {
  /** Names of the available feature taps, in encoder order. */
  readonly featureNames: readonly string[];
  denoiseWithFeatures(
    x: tf.Tensor,
    sigma: number | tf.Tensor,
    labels?: tf.Tensor,
  ): DenoiserOutputWithFeatures;
  /**
   * The taps alone (`denoiseWithFeatures(...).features`), when the denoiser can compute them
   * with less work than the whole output.
   */
  features?(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): Record<string, tf.Tensor>;
}
