import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Checks that `labels` can condition a batch of `batch` samples: an int32 tensor of shape [batch]
 * (values `0 .. classCount - 1`, or `classCount` for the null label; values are not read back,
 * to keep the check free of GPU syncs). Throws naming `argument` otherwise, and when `classCount`
 * is undefined (an unconditional denoiser given labels).
 *
 * @example assertLabels('denoise: labels', tf.tensor1d([0, 3], 'int32'), 2, 10);
 */
export function assertLabels(
  argument: string,
  labels: unknown,
  batch: number,
  classCount: number | undefined,
): asserts labels is tf.Tensor1D {
  if (classCount === undefined) {
    throw new RangeError(
      `${argument}: this denoiser is unconditional (no classCount); leave labels out`,
    );
  }
  if (!(labels instanceof tf.Tensor) || labels.dtype !== 'int32' || labels.rank !== 1) {
    throw new RangeError(
      `${argument} must be an int32 tensor of shape [${batch}], got ${labels instanceof tf.Tensor ? `${labels.dtype} [${labels.shape}]` : typeof labels}`,
    );
  }
  if (labels.size !== batch) {
    throw new RangeError(
      `${argument} must have one label per sample (${batch}), got [${labels.shape}]`,
    );
  }
}

/**
 * `batch` copies of the null label `classCount` (int32 [batch]): "no class", the unconditional
 * branch of classifier-free guidance.
 *
 * @example nullLabels(4, 10); // int32 [10, 10, 10, 10]
 */
export function nullLabels(batch: number, classCount: number): tf.Tensor1D {
  assertIntegerAtLeast('nullLabels: batch', batch, 0);
  assertIntegerAtLeast('nullLabels: classCount', classCount, 1);
  return tf.fill([batch], classCount, 'int32') as tf.Tensor1D;
}
