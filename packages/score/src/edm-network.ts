import * as tf from '@tensorflow/tfjs-core';
import type { DenoiserOutputWithFeatures, FeatureDenoiser } from './denoiser.js';
import {
  broadcastPerSample,
  DEFAULT_SIGMA_DATA,
  edmCoefficients,
  sigmaPerSample,
} from './edm-preconditioning.js';
import { Module } from './module.js';

/** What a raw network computes: `F(c_in x; c_noise, labels)` plus its feature taps. */
export interface RawNetworkOutput {
  output: tf.Tensor;
  features: Record<string, tf.Tensor>;
}

/**
 * A learned network F wrapped in EDM preconditioning: `D(x; sigma) = c_skip x + c_out F(c_in x;
 * c_noise)`. Subclasses implement `forwardRaw`; this class gives `denoise`, `score` and
 * `denoiseWithFeatures` for every network.
 */
export abstract class EdmNetwork extends Module implements FeatureDenoiser {
  abstract readonly featureNames: readonly string[];

  constructor(readonly sigmaData: number = DEFAULT_SIGMA_DATA) {
    super();
    if (!(sigmaData > 0) || !Number.isFinite(sigmaData)) {
      throw new RangeError(`sigmaData must be a finite number > 0, got ${sigmaData}`);
    }
  }

  /**
   * The raw network on the scaled input `c_in x` [batch, ...] and `c_noise` [batch], returning F
   * (shaped like x) and the feature taps.
   */
  protected abstract forwardRaw(
    scaledInput: tf.Tensor,
    noiseCondition: tf.Tensor1D,
    labels?: tf.Tensor,
  ): RawNetworkOutput;

  /** `E[x0 | x]` at noise level sigma. */
  denoise(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.denoiseWithFeatures(x, sigma, labels).denoised);
  }

  /** `(D(x; sigma) - x) / sigma^2`. */
  score(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const perSample = broadcastPerSample(sigmaPerSample(sigma, x.shape[0] ?? 0), x.rank);
      return tf.div(tf.sub(this.denoise(x, sigma, labels), x), tf.square(perSample));
    });
  }

  /** The denoised output and every feature tap. */
  denoiseWithFeatures(
    x: tf.Tensor,
    sigma: number | tf.Tensor,
    labels?: tf.Tensor,
  ): DenoiserOutputWithFeatures {
    return tf.tidy(() => {
      const sigmas = sigmaPerSample(sigma, x.shape[0] ?? 0);
      const coefficients = edmCoefficients(sigmas, this.sigmaData);
      const scaled = tf.mul(x, broadcastPerSample(coefficients.input, x.rank));
      const raw = this.forwardRaw(scaled, coefficients.noise as tf.Tensor1D, labels);
      const denoised = tf.add(
        tf.mul(x, broadcastPerSample(coefficients.skip, x.rank)),
        tf.mul(raw.output, broadcastPerSample(coefficients.out, x.rank)),
      );
      // tf.tidy keeps the tensors of a returned plain object (not of a Map).
      return { denoised, features: raw.features };
    });
  }
}
