import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorOutput } from './conv-discriminator.js';

/** Logits of a batch: a tensor (one logit per sample, or [batch, heads]) or a `ConvDiscriminator` output. */
export type Logits = tf.Tensor | DiscriminatorOutput;

/**
 * The discriminator's logistic (non-saturating GAN) loss,
 * `mean(softplus(fakeLogits)) + mean(softplus(-realLogits))`: each mean runs over the batch (and
 * over the heads, for a `ConvDiscriminator` output, as FastGen averages its per-head losses).
 * Its minimizer is the logit `ln(p_real / q_fake)`, so `exp(logit)` estimates the density ratio.
 * Real and fake batches may differ in size.
 *
 * @example discriminatorLoss(tf.tensor1d([0, 0]), tf.tensor1d([0])); // 2 ln 2
 */
export function discriminatorLoss(realLogits: Logits, fakeLogits: Logits): tf.Scalar {
  const real = logitTensor('discriminatorLoss(realLogits)', realLogits);
  const fake = logitTensor('discriminatorLoss(fakeLogits)', fakeLogits);
  return tf.tidy(
    () =>
      tf.add(
        tf.mean(tf.softplus(stackHeads(fake))),
        tf.mean(tf.softplus(tf.neg(stackHeads(real)))),
      ) as tf.Scalar,
  );
}

/**
 * The generator's non-saturating GAN loss `mean(softplus(-fakeLogits))` (mean over the batch,
 * and the heads for a `ConvDiscriminator` output): it pushes generated samples toward higher
 * logits, i.e. toward where the discriminator sees real data.
 *
 * @example generatorLoss(tf.tensor1d([0])); // ln 2
 */
export function generatorLoss(fakeLogits: Logits): tf.Scalar {
  const fake = logitTensor('generatorLoss(fakeLogits)', fakeLogits);
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(stackHeads(fake)))) as tf.Scalar);
}

/** The logits as given: a tensor, or the per-head logits of a `ConvDiscriminator` output. */
function logitTensor(argument: string, logits: Logits): tf.Tensor | tf.Tensor[] {
  if (logits instanceof tf.Tensor) {
    if (logits.size === 0) throw new RangeError(`${argument} must not be empty`);
    return logits;
  }
  if (typeof logits === 'object' && logits !== null && typeof logits.logits === 'object') {
    const heads = Object.values(logits.logits);
    if (heads.length === 0 || !heads.every((head) => head instanceof tf.Tensor)) {
      throw new RangeError(
        `${argument}: a DiscriminatorOutput needs at least one head logit tensor`,
      );
    }
    return heads;
  }
  throw new TypeError(
    `${argument} must be a tf.Tensor or a DiscriminatorOutput, got ${typeof logits}`,
  );
}

function stackHeads(logits: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(logits) ? tf.stack(logits) : logits;
}
