import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { denoisingScoreMatchingLoss } from '../denoising-score-matching.js';
import { deriveSeed } from '../derive-seed.js';
import type { EdmNetwork } from '../edm-network.js';
import type { UNetConfig } from '../unet/unet-config.js';

/** Test helper. Tiny on purpose (tfjs's cpu convolutions are slow): 8x8, base 8, attention at 4, classes. */
export const TINY_UNET: UNetConfig = {
  imageSize: 8,
  channels: 2,
  baseChannels: 8,
  channelMultipliers: [1, 2],
  blocksPerResolution: 1,
  attentionResolutions: [8, 4],
  groupNormGroups: 4,
  classCount: 2,
  embeddingSize: 16,
  seed: 7,
};

/**
 * Test helper (not exported by the package): opens ONNX bytes in onnxruntime-node on the CPU
 * with every graph optimization on, as the loader check asks.
 */
export function openSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
}

/** Test helper: an onnxruntime feed from a tfjs tensor (int32 labels become int64). */
export function toOrtTensor(tensor: tf.Tensor): ort.Tensor {
  if (tensor.dtype === 'int32') {
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(tensor.dataSync(), (value) => BigInt(value)),
      tensor.shape,
    );
  }
  return new ort.Tensor('float32', Float32Array.from(tensor.dataSync()), tensor.shape);
}

/** Test helper: the largest absolute difference between an onnxruntime output and a tfjs tensor. */
export function maxAbsDifference(actual: ort.Tensor, expected: tf.Tensor): number {
  if (actual.dims.join() !== expected.shape.join()) {
    throw new Error(`shape [${actual.dims}] differs from [${expected.shape}]`);
  }
  const values = actual.data as Float32Array;
  const reference = expected.dataSync();
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    const difference = Math.abs((values[i] as number) - (reference[i] as number));
    largest = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : Math.max(largest, difference);
  }
  return largest;
}

/**
 * Test helper: replaces every parameter by `N(0, scale^2)` noise (GroupNorm scales around 1), so
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

/** Test helper: a few Adam steps of the DSM loss on `data` (with `labels` when conditional). */
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

/** Test helper: `batch` noise levels spread log-uniformly over EDM's range [0.002, 80]. */
export function spreadSigmas(batch: number, seed: number): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.exp(
        tf.randomUniform([batch], Math.log(0.002), Math.log(80), 'float32', seed),
      ) as tf.Tensor1D,
  );
}

/** Test helper: `batch` labels in `0 .. classCount` (the null label included), int32. */
export function randomLabels(batch: number, classCount: number, seed: number): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.cast(
        tf.floor(tf.randomUniform([batch], 0, classCount + 1, 'float32', seed)),
        'int32',
      ) as tf.Tensor1D,
  );
}
