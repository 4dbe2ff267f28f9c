import * as tf from '@tensorflow/tfjs-core';

/** Added to the batch mean so that an all-zero batch of weights stays finite (as FastGen). */
export const WEIGHT_NORMALIZATION_EPSILON = 1e-6;

/**
 * Stage two of the normalization: `hbar = h / (mean_batch(h) + 1e-6)`, which keeps the f-distill
 * term on the same scale for every f. Numbers give numbers; a tensor gives a tensor.
 *
 * @example normalizeWeights([1, 3]) // [0.4999998, 1.4999993]
 */
export function normalizeWeights(weights: number[]): number[];
export function normalizeWeights<T extends tf.Tensor>(weights: T): T;
export function normalizeWeights(weights: number[] | tf.Tensor): number[] | tf.Tensor {
  if (Array.isArray(weights)) {
    if (weights.length === 0) {
      throw new RangeError('normalizeWeights(weights): weights must not be empty');
    }
    if (weights.some((weight) => !Number.isFinite(weight) || weight < 0)) {
      throw new RangeError('normalizeWeights(weights): every weight must be a finite number >= 0');
    }
    const mean = weights.reduce((sum, weight) => sum + weight, 0) / weights.length;
    return weights.map((weight) => weight / (mean + WEIGHT_NORMALIZATION_EPSILON));
  }
  if (!(weights instanceof tf.Tensor) || weights.size === 0) {
    throw new TypeError(
      'normalizeWeights(weights): weights must be a number[] or a non-empty tf.Tensor',
    );
  }
  return tf.tidy(() => tf.div(weights, tf.add(tf.mean(weights), WEIGHT_NORMALIZATION_EPSILON)));
}
