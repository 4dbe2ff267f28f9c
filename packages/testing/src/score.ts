import {
  denoisingScoreMatchingLoss,
  deriveSeed,
  type EdmNetwork,
  type GaussianMixture,
  UNetDenoiser,
} from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { TINY_UNET } from './networks.js';

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
 * Assigns each sample to its nearest mean and
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

/**
 * A tiny class-conditional U-Net teacher for tests (tfjs's cpu convolutions are slow): 16x16
 * images with 1 channel, taps `encoder.16` and `encoder.8` with 8 channels each.
 */
export function tinyTeacher(seed = 3): UNetDenoiser {
  return new UNetDenoiser({
    ...TINY_UNET,
    imageSize: 16,
    channels: 1,
    channelMultipliers: [1, 1],
    attentionResolutions: [8],
    groupNormGroups: 2,
    classCount: 3,
    seed,
  });
}

/**
 * An 8x8 U-Net teacher with one tap, `encoder.8` (4 channels), for finite differences: no
 * attention, because tfjs's cpu softmax is what dominates the cost of a batch of 8x8 images.
 */
export function smallestTeacher(seed = 5): UNetDenoiser {
  return new UNetDenoiser({
    ...TINY_UNET,
    channels: 1,
    baseChannels: 4,
    channelMultipliers: [1],
    attentionResolutions: [],
    groupNormGroups: 2,
    embeddingSize: 8,
    seed,
  });
}

/**
 * Replaces every parameter by `N(0, scale^2)` noise (GroupNorm scales around 1), so
 * that no zero-initialized bias or unit scale hides a wrong layout. Buffers are kept.
 */
export function randomizeParameters(network: EdmNetwork, seed: number, scale = 0.3): void {
  const state = new Map<string, tf.Tensor>(network.stateDict());
  const fresh: tf.Tensor[] = [];
  network.namedParameters().forEach(([name, variable], index) => {
    const noise = tf.randomNormal(variable.shape, 0, scale, 'float32', deriveSeed(seed, index));
    const value = /norm\d?\.weight$|Norm\.weight$/.test(name) ? tf.add(noise, 1) : noise;
    if (value !== noise) noise.dispose();
    state.set(name, value);
    fresh.push(value);
  });
  network.loadStateDict(state);
  tf.dispose(fresh);
}

/** A few Adam steps of the DSM loss on `data` (with `labels` when conditional). */
export function trainBriefly(
  network: EdmNetwork,
  data: tf.Tensor,
  labels: tf.Tensor | undefined,
  steps: number,
): void {
  const optimizer = tf.train.adam(1e-2);
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(
      () =>
        denoisingScoreMatchingLoss(network, data, {
          seed: step,
          ...(labels === undefined ? {} : { labels }),
        }) as tf.Scalar,
      true,
    );
    loss?.dispose();
  }
  optimizer.dispose();
}

/** `batch` noise levels spread log-uniformly over EDM's range [0.002, 80]. */
export function spreadSigmas(batch: number, seed: number): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.exp(
        tf.randomUniform([batch], Math.log(0.002), Math.log(80), 'float32', seed),
      ) as tf.Tensor1D,
  );
}

/** `batch` labels in `0 .. classCount` (the null label included), int32. */
export function randomLabels(batch: number, classCount: number, seed: number): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.cast(
        tf.floor(tf.randomUniform([batch], 0, classCount + 1, 'float32', seed)),
        'int32',
      ) as tf.Tensor1D,
  );
}
