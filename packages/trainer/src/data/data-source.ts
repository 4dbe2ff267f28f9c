import type * as tf from '@tensorflow/tfjs-core';

/** One batch of training data: samples and, for labelled data, int32 class indices. */
export interface DataBatch {
  x: tf.Tensor;
  labels?: tf.Tensor1D;
}

/**
 * Where training samples come from. `sample` draws a batch with a seed, so that a run's data
 * order is a function of its seed and step (exact resume).
 */
export interface DataSource {
  /** Shape of one sample, e.g. [2] for 2-D points or [28, 28, 1] for images (NHWC). */
  readonly sampleShape: readonly number[];
  /** Number of classes for labelled data, absent otherwise. */
  readonly classCount?: number;
  /** Draws `batchSize` samples (with replacement) from the seed. */
  sample(batchSize: number, seed: number): DataBatch;
}
