import type { DenoisingScoreMatchingDraws, EdmNetwork } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';

/** One slice of a denoising score-matching batch for another thread: its data and its draws. */
export interface TeacherShard {
  /** Clean samples, flat, with the shape `shape`. */
  x: Float32Array;
  shape: number[];
  /** Noise level per sample. */
  sigma: Float32Array;
  /** Standard normal noise, flat like `x`. */
  noise: Float32Array;
  /** Conditioning labels after dropout, for a class-conditional network. */
  labels?: Int32Array;
}

/** What a helper thread hands back for its slice. */
export interface ShardResult {
  /** The slice's mean denoising score-matching loss. */
  loss: number;
  /** Its gradient, flat, in `network.parameters()` order. */
  gradients: Float32Array;
}

/**
 * Helper threads that compute denoising score-matching gradients of slices of a batch while the
 * calling thread computes its own slice (`TeacherTrainer.shareWork`). `startGradientWorkers` in
 * `@fdistill/trainer/node` gives one on Node's worker threads.
 */
export interface GradientShards {
  /** Number of helper threads; each takes one slice. */
  readonly count: number;
  /**
   * Hands helper `i` the slice `shards[i]` and the current parameters (flat, in
   * `network.parameters()` order) and resolves with their results in the same order; rejects,
   * naming the helper, when one fails, dies or stops answering.
   */
  compute(shards: readonly TeacherShard[], parameters: Float32Array): Promise<ShardResult[]>;
  /** Stops the helpers. */
  dispose(): void;
}

/** `total` split into `parts` sizes as equal as possible, larger first (parts with 0 dropped). */
export function shardSizes(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, index) => base + (index < extra ? 1 : 0)).filter(
    (size) => size > 0,
  );
}

/**
 * `sum_i fractions[i] * gradient_i` per parameter, in a fixed order: this thread's gradients
 * (by variable name) first, then each helper's flat gradient in order.
 */
export function weightedGradients(
  parameters: readonly tf.Variable[],
  own: tf.NamedTensorMap,
  helpers: readonly Float32Array[],
  fractions: readonly number[],
): tf.NamedTensorMap {
  return tf.tidy(() => {
    const combined: tf.NamedTensorMap = {};
    let offset = 0;
    for (const parameter of parameters) {
      let gradient = tf.mul(own[parameter.name] as tf.Tensor, fractions[0] as number);
      helpers.forEach((flat, index) => {
        const part = tf.tensor(flat.subarray(offset, offset + parameter.size), parameter.shape);
        gradient = tf.add(gradient, tf.mul(part, fractions[index + 1] as number));
      });
      combined[parameter.name] = gradient;
      offset += parameter.size;
    }
    return combined;
  });
}

/** `sum_i fractions[i] * value_i`: this thread's scalar first, then the helpers' numbers in order. */
export function weightedSum(
  own: tf.Scalar,
  helpers: readonly number[],
  fractions: readonly number[],
) {
  return tf.tidy(() =>
    helpers.reduce<tf.Scalar>(
      (total, value, index) => tf.add(total, (fractions[index + 1] as number) * value),
      tf.mul(own, fractions[0] as number),
    ),
  );
}

/** Every parameter of `network`, flat, in `network.parameters()` order. */
export function flatParameters(network: EdmNetwork): Float32Array {
  return flattenParameters(network.parameters());
}

/** The values of `parameters`, one after the other, in one array (for another thread). */
export function flattenParameters(parameters: readonly tf.Variable[]): Float32Array {
  const flat = new Float32Array(parameters.reduce((total, p) => total + p.size, 0));
  let offset = 0;
  for (const parameter of parameters) {
    flat.set(parameter.dataSync() as Float32Array, offset);
    offset += parameter.size;
  }
  return flat;
}

/** Rows `[start, start + size)` of a batch's data and draws, as plain arrays for another thread. */
export function teacherShardOf(
  x: tf.Tensor,
  draws: DenoisingScoreMatchingDraws,
  start: number,
  size: number,
): TeacherShard {
  return tf.tidy(() => {
    const rows = (tensor: tf.Tensor) =>
      tf.slice(
        tensor,
        [start, ...tensor.shape.slice(1).map(() => 0)],
        [size, ...tensor.shape.slice(1)],
      );
    const labels = draws.labels === undefined ? undefined : rows(draws.labels).dataSync();
    return {
      x: rows(x).dataSync() as Float32Array,
      shape: [size, ...x.shape.slice(1)],
      sigma: rows(draws.sigma).dataSync() as Float32Array,
      noise: rows(draws.noise).dataSync() as Float32Array,
      ...(labels === undefined ? {} : { labels: Int32Array.from(labels) }),
    };
  });
}
