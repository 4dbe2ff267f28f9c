import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import type { DataBatch, DataSource } from './data-source.js';

/**
 * A data source over samples held in memory: `x` is [count, ...sampleShape], `labels` optional
 * int32 [count] in `[0, classCount)`. Batches are drawn uniformly with replacement.
 *
 * @example const source = tensorSource(tf.randomNormal([1000, 2]));
 */
export function tensorSource(x: tf.Tensor, labels?: tf.Tensor1D, classCount?: number): DataSource {
  if (!(x instanceof tf.Tensor) || x.rank < 2 || (x.shape[0] ?? 0) < 1) {
    throw new RangeError(
      'tensorSource(x): x must be a tensor [count, ...sampleShape] with count >= 1',
    );
  }
  const count = x.shape[0] as number;
  if (labels !== undefined) {
    if (labels.rank !== 1 || labels.size !== count) {
      throw new RangeError(
        `tensorSource: labels must be a 1-D tensor of ${count} class indices, got shape [${labels.shape}]`,
      );
    }
    assertIntegerAtLeast('tensorSource: classCount', classCount, 1);
  }
  return {
    sampleShape: x.shape.slice(1),
    ...(labels !== undefined ? { classCount } : {}),
    sample(batchSize: number, seed: number): DataBatch {
      assertIntegerAtLeast('sample: batchSize', batchSize, 1);
      return tf.tidy(() => {
        const drawn = tf.floor(tf.randomUniform([batchSize], 0, count, 'float32', seed));
        const clamped = tf.cast(tf.minimum(drawn, count - 1), 'int32');
        const batch: DataBatch = { x: tf.gather(x, clamped) };
        if (labels !== undefined) batch.labels = tf.gather(labels, clamped) as tf.Tensor1D;
        return batch as unknown as tf.TensorContainer;
      }) as unknown as DataBatch;
    },
  };
}
