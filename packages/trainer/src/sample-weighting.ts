import { broadcastPerSample, sampleTrainingSigmas } from '@fdistill/score';
import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { type DistillModel, uniformLabels } from './distill-model.js';
import { type RandomStream, stepSeed } from './seeds.js';

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
 * The weighting of `count` fresh student samples, per sample (paper Fig. 6): the noise level,
 * the normalized density ratio r, h(r), and the norm of the score difference
 * `|s_teacher - s_fake| = |T - F| / sigma^2` on the noised sample. A class-conditional run's
 * samples get uniform labels, and the teacher its guidance, as in a generator step. The samples
 * go through the networks `chunkSize` at a time (default: all at once); chunk k draws from
 * `stepSeed(seed, k, stream)`, not from the run's streams. Each chunk advances the ratio bins as
 * a generator step does.
 *
 * @example const { weight, scoreDifference } = await weightingOfSamples(model, 2048, 7);
 */
export async function weightingOfSamples(
  model: DistillModel,
  count: number,
  seed: number,
  chunkSize = count,
): Promise<SampleWeighting> {
  assertIntegerAtLeast('weightingOfSamples: count', count, 1);
  assertIntegerAtLeast('weightingOfSamples: chunkSize', chunkSize, 1);
  const result: SampleWeighting = { sigma: [], ratio: [], weight: [], scoreDifference: [] };
  for (let chunk = 0; chunk * chunkSize < count; chunk++) {
    const rows = await weightingOfChunk(
      model,
      Math.min(chunkSize, count - chunk * chunkSize),
      (stream) => stepSeed(seed, chunk, stream),
    );
    result.sigma.push(...rows.sigma);
    result.ratio.push(...rows.ratio);
    result.weight.push(...rows.weight);
    result.scoreDifference.push(...rows.scoreDifference);
  }
  return result;
}

/** `weightingOfSamples` of one chunk of `count` samples, its draws from `seedOf`. */
async function weightingOfChunk(
  model: DistillModel,
  count: number,
  seedOf: (stream: RandomStream) => number,
): Promise<SampleWeighting> {
  const { fakeScore } = model.networks;
  const { sigmaMin, sigmaMax } = model.options;
  const { classCount } = model.data;
  const columns = tf.tidy(() => {
    const shape = [count, ...model.data.sampleShape];
    const latent = tf.randomNormal(shape, 0, 1, 'float32', seedOf('latent'));
    const labels =
      classCount === undefined ? undefined : uniformLabels(count, classCount, seedOf('labels'));
    const sigma = sampleTrainingSigmas(count, seedOf('generator-sigma'), { sigmaMin, sigmaMax });
    const spread = broadcastPerSample(sigma, latent.rank);
    const noise = tf.randomNormal(shape, 0, 1, 'float32', seedOf('generator-noise'));
    const noised = tf.add(model.generate(latent, labels), tf.mul(spread, noise));
    const { teacherX0, logits } = model.teacherAndLogits(noised, sigma, labels);
    const difference = tf.sub(teacherX0, fakeScore.denoise(noised, sigma, labels));
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
