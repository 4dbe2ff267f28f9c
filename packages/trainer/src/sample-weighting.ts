import { broadcastPerSample, sampleTrainingSigmas } from '@fdistill/score';
import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import type { DistillModel } from './distill-model.js';
import { stepSeed } from './seeds.js';

/** Per-sample columns of `weightingOfSamples` (paper Fig. 6). */
export interface SampleWeighting {
  /** Noise level of each sample. */
  sigma: number[];
  /** Its normalized density ratio r. */
  ratio: number[];
  /** Its weighting h(r). */
  weight: number[];
  /** The norm of its score difference `|s_teacher - s_fake| = |T - F| / sigma^2`. */
  scoreDifference: number[];
}

/**
 * The weighting of a fresh batch of `count` student samples, per sample (paper Fig. 6): the
 * noise level, the normalized density ratio r, h(r), and the norm of the score difference
 * `|s_teacher - s_fake| = |T - F| / sigma^2` on the noised sample. Draws from its own seed,
 * not the run's streams; advances the ratio bins as a generator step does.
 *
 * @example const { weight, scoreDifference } = await weightingOfSamples(model, 2048, 7);
 */
export async function weightingOfSamples(
  model: DistillModel,
  count: number,
  seed: number,
): Promise<SampleWeighting> {
  assertIntegerAtLeast('weightingOfSamples: count', count, 1);
  if (model.data.classCount !== undefined) {
    throw new Error('weightingOfSamples: class-conditional runs are not supported');
  }
  const { fakeScore } = model.networks;
  const { sigmaMin, sigmaMax } = model.options;
  const columns = tf.tidy(() => {
    const shape = [count, ...model.data.sampleShape];
    const latent = tf.randomNormal(shape, 0, 1, 'float32', stepSeed(seed, 0, 'latent'));
    const sigma = sampleTrainingSigmas(count, stepSeed(seed, 0, 'generator-sigma'), {
      sigmaMin,
      sigmaMax,
    });
    const spread = broadcastPerSample(sigma, latent.rank);
    const noise = tf.randomNormal(shape, 0, 1, 'float32', stepSeed(seed, 0, 'generator-noise'));
    const noised = tf.add(model.generate(latent), tf.mul(spread, noise));
    const { teacherX0, logits } = model.teacherAndLogits(noised, sigma);
    const difference = tf.sub(teacherX0, fakeScore.denoise(noised, sigma));
    const axes = difference.shape.slice(1).map((_, index) => index + 1);
    const scoreDifference = tf.div(tf.sqrt(tf.sum(tf.square(difference), axes)), tf.square(sigma));
    const { ratio, weight } = model.ratioAndWeight(logits, sigma);
    return tf.stack([sigma, ratio, weight, scoreDifference]);
  });
  const rows = (await columns.array()) as number[][];
  columns.dispose();
  const [sigma, ratio, weight, scoreDifference] = rows as [number[], number[], number[], number[]];
  return { sigma, ratio, weight, scoreDifference };
}
