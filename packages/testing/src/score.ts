import type * as tf from '@tensorflow/tfjs-core';
import type { GaussianMixture } from './gaussian-mixture.js';

/** Per-component statistics of samples assigned to their nearest mode. */
export interface MixtureStatistics {
  /** Share of the samples nearest to each mode. */
  fractions: number[];
  /** Mean of the samples of each mode (NaN where none). */
  means: number[][];
  /** Root mean square deviation per coordinate from the mode's own mean, per mode. */
  stds: number[];
  /** The same, pooled over every sample (deviations from each mode's TRUE mean). */
  pooledStd: number;
  /** Number of samples per mode. */
  counts: number[];
}

/**
 * Test helper (not exported by the package): assigns each sample to its nearest mean and
 * measures weights, means and stds in float64.
 */
export function mixtureStatistics(mixture: GaussianMixture, samples: tf.Tensor): MixtureStatistics {
  const assignment = mixture.nearestComponent(samples);
  const component = Array.from(assignment.dataSync());
  assignment.dispose();
  const values = samples.dataSync();
  const { dimension, componentCount } = mixture;
  const counts = new Array<number>(componentCount).fill(0);
  const sums = Array.from({ length: componentCount }, () => new Array<number>(dimension).fill(0));
  for (const [i, k] of component.entries()) {
    counts[k] = (counts[k] as number) + 1;
    const sum = sums[k] as number[];
    for (let j = 0; j < dimension; j++)
      sum[j] = (sum[j] as number) + (values[i * dimension + j] as number);
  }
  const means = sums.map((sum, k) => sum.map((value) => value / (counts[k] as number)));
  const squares = new Array<number>(componentCount).fill(0);
  let pooled = 0;
  for (const [i, k] of component.entries()) {
    for (let j = 0; j < dimension; j++) {
      const value = values[i * dimension + j] as number;
      squares[k] = (squares[k] as number) + (value - (means[k]?.[j] as number)) ** 2;
      pooled += (value - (mixture.means[k]?.[j] as number)) ** 2;
    }
  }
  return {
    fractions: counts.map((count) => count / component.length),
    means,
    stds: squares.map((square, k) => Math.sqrt(square / ((counts[k] as number) * dimension))),
    pooledStd: Math.sqrt(pooled / (component.length * dimension)),
    counts,
  };
}

/** Mean and standard deviation of every value of a tensor, in float64. */
export function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  const mean = sum / values.length;
  let square = 0;
  for (let i = 0; i < values.length; i++) square += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(square / values.length) };
}
