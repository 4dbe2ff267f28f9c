import { type DensityRatioOptions, densityRatioFromLogits } from '@fdistill/divergence';
import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorOutput } from './conv-discriminator.js';

/**
 * The density ratio `r = p_teacher / q_student` at each sample from the discriminator:
 * `clip(exp(clamp(logit, -10, 10)), 0.1, 20)` by default (FastGen, through
 * `densityRatioFromLogits` of `@fdistill/divergence`), in float32, with NO gradient attached (it
 * only weights the generator update through `h(r)`). A `ConvDiscriminator` output uses its mean
 * logit over heads.
 *
 * @example
 * const ratio = densityRatio(discriminate(teacher, discriminator, xt, sigma)); // [batch]
 * const weights = normalizeWeights(getDivergence('js').hTensor(normalizer.normalize(ratio, sigma)));
 */
export function densityRatio(
  logits: tf.Tensor | DiscriminatorOutput,
  options?: DensityRatioOptions,
): tf.Tensor {
  if (logits instanceof tf.Tensor) return densityRatioFromLogits(logits, options);
  if (typeof logits === 'object' && logits !== null && logits.meanLogit instanceof tf.Tensor) {
    return densityRatioFromLogits(logits.meanLogit, options);
  }
  throw new TypeError(
    `densityRatio(logits): logits must be a tf.Tensor or a DiscriminatorOutput, got ${typeof logits}`,
  );
}
