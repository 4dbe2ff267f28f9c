import {
  approximateR1Penalty,
  type ConvDiscriminator,
  discriminate,
  exactR1Penalty,
  type MlpDiscriminator,
} from '@fdistill/discriminator';
import type { FeatureDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { DistillDiscriminator, R1Perturbation } from './distill-networks.js';

/** Which adapter made each discriminator view (what worker threads rebuild: `distillDiscriminatorKind`). */
const adapterKinds = new WeakMap<DistillDiscriminator, 'mlp' | 'teacher-features'>();

/**
 * Which of this module's adapters made `discriminator`: `'mlp'` (`mlpDistillDiscriminator`),
 * `'teacher-features'` (`teacherFeatureDistillDiscriminator`), or `undefined` for any other view.
 */
export function distillDiscriminatorKind(
  discriminator: DistillDiscriminator,
): 'mlp' | 'teacher-features' | undefined {
  return adapterKinds.get(discriminator);
}

/** The approximate R1 penalty's options at gamma 1 for a perturbation given as a seed or as noise. */
function penaltyOptions(perturbation: R1Perturbation) {
  return typeof perturbation === 'number'
    ? { gamma: 1, seed: perturbation }
    : { gamma: 1, noise: perturbation };
}

/**
 * The loop's view of an `MlpDiscriminator` on `(x_t, sigma)` (vector data). Its R1 penalty is
 * returned with gamma 1; the loop multiplies by its `r1.gamma`.
 *
 * @example const discriminator = mlpDistillDiscriminator(new MlpDiscriminator({ dimension: 2, seed: 3 }));
 */
export function mlpDistillDiscriminator(discriminator: MlpDiscriminator): DistillDiscriminator {
  const r1Penalty: DistillDiscriminator['r1Penalty'] = (noisedReal, sigma, form, perturbation) => {
    const logitsOf = (x: tf.Tensor) => discriminator.forward(x, sigma);
    return form === 'exact'
      ? exactR1Penalty(logitsOf, noisedReal, 1)
      : approximateR1Penalty(logitsOf, noisedReal, penaltyOptions(perturbation));
  };
  const view: DistillDiscriminator = {
    module: discriminator,
    logits: (noised, sigma) => discriminator.forward(noised, sigma),
    r1Penalty,
    realLogitsAndR1Penalty: (noisedReal, sigma, form, perturbation) => {
      const logits = discriminator.forward(noisedReal, sigma);
      const penalty =
        form === 'exact'
          ? r1Penalty(noisedReal, sigma, form, perturbation)
          : approximateR1Penalty((x) => discriminator.forward(x, sigma), noisedReal, {
              ...penaltyOptions(perturbation),
              realLogits: logits,
            });
      return { logits, penalty };
    },
  };
  adapterKinds.set(view, 'mlp');
  return view;
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
  const view: DistillDiscriminator = {
    module: heads,
    featureNetwork: teacher,
    headLogits: (features) => tf.tidy(() => heads.forward(features).meanLogit as tf.Tensor1D),
    logits: (noised, sigma, labels) => logitsOf(noised, sigma, labels).meanLogit as tf.Tensor1D,
    r1Penalty: (noisedReal, sigma, form, perturbation, labels) => {
      const logitFunction = (x: tf.Tensor) => logitsOf(x, sigma, labels);
      return form === 'exact'
        ? exactR1Penalty(logitFunction, noisedReal, 1)
        : approximateR1Penalty(logitFunction, noisedReal, penaltyOptions(perturbation));
    },
    realLogitsAndR1Penalty: (noisedReal, sigma, form, perturbation, labels) => {
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
          ...penaltyOptions(perturbation),
          realLogits: real,
        }),
      };
    },
  };
  adapterKinds.set(view, 'teacher-features');
  return view;
}
