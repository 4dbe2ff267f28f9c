import type { Module } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { CriticBatch } from './critic-loss.js';
import type { StudentDraws } from './distill-model.js';
import type { DistillNetworks } from './distill-networks.js';
import { flattenParameters } from './gradient-shards.js';
import { tidyObject } from './tensor-objects.js';

/** Rows of a step's student draws (latents, labels, noise levels, noise), flat, for another thread. */
export interface StudentSlice {
  /** Latents z, flat, [size, ...sample shape]. */
  latent: Float32Array;
  /** Class labels of a class-conditional run. */
  labels?: Int32Array;
  /** Training noise levels [size]. */
  sigma: Float32Array;
  /** Noise eps, flat like `latent`. */
  noise: Float32Array;
}

/** Rows of a critic step's batches for another thread (`DistillShards.critic`). */
export interface CriticSlice {
  /** The student draws of the fake side. */
  fake: StudentSlice;
  /** The noised real samples, flat, with their noise levels and labels. */
  real: { noised: Float32Array; sigma: Float32Array; labels?: Int32Array };
  /**
   * Rows of the whole batch's R1 perturbation noise (the approximate penalty); absent when the
   * penalty draws none (`penaltySeed` then stands in).
   */
  perturbation?: Float32Array;
  /** The step's penalty seed. */
  penaltySeed: number;
}

/** What a helper thread hands back for its slice of a critic step (slice means, unweighted). */
export interface CriticSliceResult {
  fakeScoreLoss: number;
  discriminatorLoss: number;
  /** The R1 penalty at gamma 1, when R1 is on. */
  penalty?: number;
  /** The fake score's gradient, flat, in `fakeScore.parameters()` order. */
  fakeScoreGradients: Float32Array;
  /** The discriminator's gradient, flat, in `discriminator.module.parameters()` order. */
  discriminatorGradients: Float32Array;
}

/** What a helper thread hands back for its slice of a generator step (slice means, unweighted). */
export interface GeneratorSliceResult {
  loss: number;
  fDistill: number;
  gan: number;
  /** The student's gradient, flat, in `student.parameters()` order. */
  gradients: Float32Array;
}

/**
 * Helper threads that compute slices of f-distill steps while the calling thread computes its
 * own slice (`Distiller.shareWork`). Each call hands helper `i` the slice `slices[i]` and
 * resolves with their results in the same order; it rejects, naming the helper, when one fails,
 * dies or stops answering. `startDistillWorkers` in `@fdistill/trainer/node` gives one on
 * Node's worker threads.
 */
export interface DistillShards {
  /** Number of helper threads; each takes one slice. */
  readonly count: number;
  /**
   * A critic step's fake-score and discriminator losses and gradients of each slice, at
   * `parameters` (`flatDistillParameters`).
   */
  critic(slices: readonly CriticSlice[], parameters: Float32Array): Promise<CriticSliceResult[]>;
  /**
   * First half of a generator step: the discriminator's mean logit at each slice's noised
   * student samples, at `parameters`. Each helper keeps its slice and the teacher's and fake
   * score's predictions there for `generatorGradients`.
   */
  generatorLogits(
    slices: readonly StudentSlice[],
    parameters: Float32Array,
  ): Promise<Float32Array[]>;
  /**
   * Second half: the generator's loss and gradients of each helper's slice (from the last
   * `generatorLogits`) with its rows of the batch's weights hbar.
   */
  generatorGradients(weights: readonly Float32Array[]): Promise<GeneratorSliceResult[]>;
  /** Stops the helpers. */
  dispose(): void;
}

/** The modules whose parameters a helper needs each step, in the order of `flatDistillParameters`. */
export function trainedModules(networks: DistillNetworks): Module[] {
  return [networks.student, networks.fakeScore, networks.discriminator.module];
}

/** The parameters of the student, the fake score and the discriminator, flat, in that order. */
export function flatDistillParameters(networks: DistillNetworks): Float32Array {
  return flattenParameters(trainedModules(networks).flatMap((module) => module.parameters()));
}

/** Rows `[start, start + size)` of a tensor (the first axis). */
export function rowsOf<T extends tf.Tensor>(tensor: T, start: number, size: number): T {
  return tf.slice(
    tensor,
    [start, ...tensor.shape.slice(1).map(() => 0)],
    [size, ...tensor.shape.slice(1)],
  ) as T;
}

/** Rows of student draws, as tensors. */
export function rowsOfDraws(draws: StudentDraws, start: number, size: number): StudentDraws {
  return {
    latent: rowsOf(draws.latent, start, size),
    ...(draws.labels === undefined ? {} : { labels: rowsOf(draws.labels, start, size) }),
    sigma: rowsOf(draws.sigma, start, size),
    noise: rowsOf(draws.noise, start, size),
  };
}

/** Rows of a critic batch, as tensors. */
export function rowsOfCriticBatch(batch: CriticBatch, start: number, size: number): CriticBatch {
  return {
    noised: rowsOf(batch.noised, start, size),
    sigma: rowsOf(batch.sigma, start, size),
    ...(batch.labels === undefined ? {} : { labels: rowsOf(batch.labels, start, size) }),
  };
}

/** Rows of student draws as plain arrays for another thread. */
export function studentSliceOf(draws: StudentDraws, start: number, size: number): StudentSlice {
  return tidyObject(() => {
    const rows = rowsOfDraws(draws, start, size);
    return {
      latent: rows.latent.dataSync() as Float32Array,
      ...(rows.labels === undefined
        ? {}
        : { labels: Int32Array.from(rows.labels.dataSync() as Int32Array) }),
      sigma: rows.sigma.dataSync() as Float32Array,
      noise: rows.noise.dataSync() as Float32Array,
    };
  });
}

/** Student draws from a slice's plain arrays, for samples of `sampleShape`. */
export function drawsOfSlice(slice: StudentSlice, sampleShape: readonly number[]): StudentDraws {
  const size = slice.sigma.length;
  return {
    latent: tf.tensor(slice.latent, [size, ...sampleShape]),
    ...(slice.labels === undefined ? {} : { labels: tf.tensor1d(slice.labels, 'int32') }),
    sigma: tf.tensor1d(slice.sigma),
    noise: tf.tensor(slice.noise, [size, ...sampleShape]),
  };
}
