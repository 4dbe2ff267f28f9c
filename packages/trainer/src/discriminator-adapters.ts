import {
  approximateR1Penalty,
  type ConvDiscriminator,
  discriminate,
  exactR1Penalty,
  type MlpDiscriminator,
} from '@fdistill/discriminator';
import type { FeatureDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { DistillDiscriminator } from './distill-networks.js';

/**
 * The loop's view of an `MlpDiscriminator` on `(x_t, sigma)` (vector data). Its R1 penalty is
 * returned with gamma 1; the loop multiplies by its `r1.gamma`.
 *
 * @example const discriminator = mlpDistillDiscriminator(new MlpDiscriminator({ dimension: 2, seed: 3 }));
 */
export function mlpDistillDiscriminator(discriminator: MlpDiscriminator): DistillDiscriminator {
  const r1Penalty: DistillDiscriminator['r1Penalty'] = (noisedReal, sigma, form, seed) => {
    const logitsOf = (x: tf.Tensor) => discriminator.forward(x, sigma);
    return form === 'exact'
      ? exactR1Penalty(logitsOf, noisedReal, 1)
      : approximateR1Penalty(logitsOf, noisedReal, { gamma: 1, seed });
  };
  return {
    module: discriminator,
    logits: (noised, sigma) => discriminator.forward(noised, sigma),
    r1Penalty,
    realLogitsAndR1Penalty: (noisedReal, sigma, form, seed) => {
      const logits = discriminator.forward(noisedReal, sigma);
      const penalty =
        form === 'exact'
          ? r1Penalty(noisedReal, sigma, form, seed)
          : approximateR1Penalty((x) => discriminator.forward(x, sigma), noisedReal, {
              gamma: 1,
              seed,
              realLogits: logits,
            });
      return { logits, penalty };
    },
  };
}

/**
 * The loop's view of conv heads on the feature taps of a frozen teacher (images): the logit is
 * the mean over heads, and gradients reach the generator through the teacher.
 *
 * @example const discriminator = teacherFeatureDistillDiscriminator(teacher, heads);
 */
export function teacherFeatureDistillDiscriminator(
  teacher: FeatureDenoiser,
  heads: ConvDiscriminator,
): DistillDiscriminator {
  const logitsOf = (x: tf.Tensor, sigma: tf.Tensor1D, labels?: tf.Tensor1D) =>
    discriminate(teacher, heads, x, sigma, labels);
  return {
    module: heads,
    featureNetwork: teacher,
    headLogits: (features) => tf.tidy(() => heads.forward(features).meanLogit as tf.Tensor1D),
    logits: (noised, sigma, labels) => logitsOf(noised, sigma, labels).meanLogit as tf.Tensor1D,
    r1Penalty: (noisedReal, sigma, form, seed, labels) => {
      const logitFunction = (x: tf.Tensor) => logitsOf(x, sigma, labels);
      return form === 'exact'
        ? exactR1Penalty(logitFunction, noisedReal, 1)
        : approximateR1Penalty(logitFunction, noisedReal, { gamma: 1, seed });
    },
    realLogitsAndR1Penalty: (noisedReal, sigma, form, seed, labels) => {
      const logitFunction = (x: tf.Tensor) => logitsOf(x, sigma, labels);
      // The exact form differentiates its own evaluation: nothing to share.
      if (form === 'exact') {
        return {
          logits: logitFunction(noisedReal).meanLogit as tf.Tensor1D,
          penalty: exactR1Penalty(logitFunction, noisedReal, 1),
        };
      }
      const real = logitFunction(noisedReal);
      return {
        logits: real.meanLogit as tf.Tensor1D,
        penalty: approximateR1Penalty(logitFunction, noisedReal, {
          gamma: 1,
          seed,
          realLogits: real,
        }),
      };
    },
  };
}
