import { assertFiniteNumber, assertIntegerAtLeast, describeValue } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels } from './class-labels.js';
import type { Denoiser } from './denoiser.js';
import { multiplyPerSample, sigmaPerSample } from './edm-preconditioning.js';

/** Options of `GuidedDenoiser`. */
export interface GuidanceOptions {
  /** The null label; default the denoiser's `classCount`. */
  nullLabel?: number;
}

/**
 * Classifier-free guidance as a `Denoiser`:
 * `x0 = x0_cond + (w - 1) (x0_cond - x0_uncond)`, the conditional and unconditional (null-label)
 * evaluations batched into one call of the wrapped denoiser. `w = 1` is the conditional denoiser
 * itself (one evaluation, no unconditional branch); calls without labels are unguided.
 *
 * @example
 * const guided = new GuidedDenoiser(teacher, 1.75);
 * heunSampler(guided, { seed: 1, shape: [16, 2], labels });
 */
export class GuidedDenoiser implements Denoiser {
  readonly sigmaData: number;
  readonly classCount: number | undefined;
  readonly nullLabel: number;

  constructor(
    readonly denoiser: Denoiser,
    readonly guidance: number,
    options: GuidanceOptions = {},
  ) {
    if (
      typeof denoiser !== 'object' ||
      denoiser === null ||
      typeof denoiser.denoise !== 'function'
    ) {
      throw new TypeError(
        `GuidedDenoiser: denoiser must have a denoise method, got ${describeValue(denoiser)}`,
      );
    }
    assertFiniteNumber('GuidedDenoiser: guidance', guidance);
    const nullLabel = options.nullLabel ?? denoiser.classCount;
    if (nullLabel === undefined) {
      throw new RangeError(
        'GuidedDenoiser: the denoiser has no classCount; give options.nullLabel (the unconditional label)',
      );
    }
    assertIntegerAtLeast('GuidedDenoiser: options.nullLabel', nullLabel, 0);
    this.sigmaData = denoiser.sigmaData;
    this.classCount = denoiser.classCount ?? nullLabel;
    this.nullLabel = nullLabel;
  }

  /** The guided `E[x0 | x]`. */
  denoise(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor {
    if (labels === undefined || this.guidance === 1) {
      return this.denoiser.denoise(x, sigma, labels);
    }
    const batch = x.shape[0] as number;
    assertLabels('GuidedDenoiser: labels', labels, batch, this.classCount);
    return tf.tidy(() => {
      const doubledSigma =
        typeof sigma === 'number'
          ? sigma
          : tf.concat([sigmaPerSample(sigma, batch), sigmaPerSample(sigma, batch)]);
      const both = this.denoiser.denoise(
        tf.concat([x, x]),
        doubledSigma,
        tf.concat([labels, tf.fill([batch], this.nullLabel, 'int32')]),
      );
      const [conditional, unconditional] = tf.split(both, 2) as [tf.Tensor, tf.Tensor];
      return this.combine(conditional, unconditional);
    });
  }

  /**
   * The guided x0 from the wrapped denoiser's two evaluations:
   * `conditional + (w - 1) (conditional - unconditional)`. For a caller that evaluates the
   * conditional branch itself (e.g. with its feature taps) and the null label separately.
   *
   * @example const x0 = guided.combine(teacher.denoise(x, sigma, labels), teacher.denoise(x, sigma, nullLabels));
   */
  combine(conditional: tf.Tensor, unconditional: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.add(conditional, tf.mul(tf.sub(conditional, unconditional), this.guidance - 1)),
    );
  }

  /** `(D(x; sigma) - x) / sigma^2` of the guided denoiser. */
  score(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const sigmas = sigmaPerSample(sigma, x.shape[0] as number);
      return multiplyPerSample(
        tf.sub(this.denoise(x, sigma, labels), x),
        tf.reciprocal(tf.square(sigmas)),
      );
    });
  }
}
