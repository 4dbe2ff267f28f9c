import { UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A tiny class-conditional U-Net teacher for tests (tfjs's cpu convolutions are slow): 16x16
 * images with 1 channel, taps `encoder.16` and `encoder.8` with 8 channels each.
 */
export function tinyTeacher(seed = 3): UNetDenoiser {
  return new UNetDenoiser({
    imageSize: 16,
    channels: 1,
    baseChannels: 8,
    channelMultipliers: [1, 1],
    blocksPerResolution: 1,
    attentionResolutions: [8],
    groupNormGroups: 2,
    classCount: 3,
    embeddingSize: 16,
    seed,
  });
}

/**
 * An 8x8 U-Net teacher with one tap, `encoder.8` (4 channels), for finite differences: no
 * attention, because tfjs's cpu softmax is what dominates the cost of a batch of 8x8 images.
 */
export function smallestTeacher(seed = 5): UNetDenoiser {
  return new UNetDenoiser({
    imageSize: 8,
    channels: 1,
    baseChannels: 4,
    channelMultipliers: [1],
    blocksPerResolution: 1,
    attentionResolutions: [],
    groupNormGroups: 2,
    embeddingSize: 8,
    seed,
  });
}

/** Copies of every parameter's values, to compare bit for bit later. */
export function snapshot(variables: tf.Variable[]): Float32Array[] {
  return variables.map((variable) => Float32Array.from(variable.dataSync() as Float32Array));
}

/** Whether two snapshots are equal bit for bit. */
export function identical(a: Float32Array[], b: Float32Array[]): boolean {
  return (
    a.length === b.length &&
    a.every((values, index) => {
      const other = b[index] as Float32Array;
      return (
        values.length === other.length &&
        Buffer.from(values.buffer).equals(Buffer.from(other.buffer))
      );
    })
  );
}

/** Largest absolute entry of a tensor. */
export function maxAbs(x: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0] as number);
}
