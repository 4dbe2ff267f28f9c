import * as tf from '@tensorflow/tfjs-core';
import type { DenoiserOutputWithFeatures, FeatureDenoiser } from './denoiser.js';
import {
  DEFAULT_SIGMA_DATA,
  edmCoefficients,
  multiplyPerSample,
  sigmaPerSample,
} from './edm-preconditioning.js';
import { Module } from './module.js';

/** What a raw network computes: `F(c_in x; c_noise, labels)` plus its feature taps. */
export type RawNetworkOutput = {
  output: tf.Tensor;
  features: Record<string, tf.Tensor>;
};

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
      const sigmas = sigmaPerSample(sigma, x.shape[0] ?? 0);
      return multiplyPerSample(
        tf.sub(this.denoise(x, sigma, labels), x),
        tf.reciprocal(tf.square(sigmas)),
      );
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
      const scaled = multiplyPerSample(x, coefficients.input);
      const raw = this.forwardRaw(scaled, coefficients.noise as tf.Tensor1D, labels);
      const denoised = tf.add(
        multiplyPerSample(x, coefficients.skip),
        multiplyPerSample(raw.output, coefficients.out),
      );
      // tf.tidy keeps the tensors of a returned plain object (not of a Map).
      return { denoised, features: raw.features };
    });
  }

  /**
   * The feature taps alone: the values of `denoiseWithFeatures(x, sigma, labels).features`,
   * computing only what the taps need (a U-Net stops after its encoder).
   */
  features(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): Record<string, tf.Tensor> {
    return tf.tidy(() => {
      const sigmas = sigmaPerSample(sigma, x.shape[0] ?? 0);
      const coefficients = edmCoefficients(sigmas, this.sigmaData);
      const scaled = multiplyPerSample(x, coefficients.input);
      return this.forwardFeatures(scaled, coefficients.noise as tf.Tensor1D, labels);
    });
  }

  /**
   * The raw network's feature taps on `c_in x`; by default the whole forward pass. A subclass
   * whose taps come early overrides it to stop there.
   */
  protected forwardFeatures(
    scaledInput: tf.Tensor,
    noiseCondition: tf.Tensor1D,
    labels?: tf.Tensor,
  ): Record<string, tf.Tensor> {
    return this.forwardRaw(scaledInput, noiseCondition, labels).features;
  }
}
