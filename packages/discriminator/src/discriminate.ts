import type { FeatureDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { ConvDiscriminator, DiscriminatorOutput } from './conv-discriminator.js';

/**
 * Runs the frozen teacher on noised images `xt` at noise level `sigma` (with `labels` for a
 * class-conditional teacher) and feeds its feature taps to the discriminator's heads. A teacher
 * with a `features` method (every `EdmNetwork`) computes only the taps.
 *
 * Freeze the teacher once with `teacher.setTrainable(false)`. Its weights then get no gradient,
 * yet gradients still flow through it to `xt`: the generator's GAN term
 * `generatorLoss(discriminate(teacher, discriminator, G(z) + sigma n, sigma).meanLogit)`
 * reaches the generator through the teacher, and a discriminator step that takes gradients of
 * the head parameters only (`discriminatorGradients`) leaves the teacher untouched.
 *
 * @example
 * teacher.setTrainable(false);
 * const real = discriminate(teacher, discriminator, realNoised, sigma, labels);
 * const fake = discriminate(teacher, discriminator, fakeNoised, sigma, labels);
 * const loss = discriminatorLoss(real, fake);
 */
export function discriminate(
  teacher: FeatureDenoiser,
  discriminator: ConvDiscriminator,
  xt: tf.Tensor,
  sigma: number | tf.Tensor,
  labels?: tf.Tensor,
): DiscriminatorOutput {
  if (
    typeof teacher !== 'object' ||
    teacher === null ||
    typeof teacher.denoiseWithFeatures !== 'function'
  ) {
    throw new TypeError('discriminate(teacher, ...): teacher must be a FeatureDenoiser');
  }
  const available = teacher.featureNames ?? [];
  for (const name of discriminator.tapNames) {
    if (!available.includes(name)) {
      throw new RangeError(
        `discriminate: the discriminator reads tap "${name}", which the teacher does not have (teacher taps: ${available.join(', ') || 'none'})`,
      );
    }
  }
  return tf.tidy(() => {
    // The taps alone when the teacher can stop early (a U-Net skips its middle and decoder).
    const features =
      teacher.features?.(xt, sigma, labels) ??
      teacher.denoiseWithFeatures(xt, sigma, labels).features;
    return discriminator.forward(features);
  });
}
