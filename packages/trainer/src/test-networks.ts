import { MlpDiscriminator } from '@fdistill/discriminator';
import { GaussianMixture, MlpDenoiser } from '@fdistill/score';
import { mixtureSource } from './data/mixture-source.js';
import { mlpDistillDiscriminator } from './discriminator-adapters.js';
import type { DistillOptions } from './distill-options.js';
import { Distiller } from './distiller.js';

/** A small f-distill setup on a mixture with the exact teacher, for tests. */
export function smallDistiller(
  teacher: GaussianMixture,
  options: Omit<DistillOptions, 'batchSize'> & { batchSize?: number },
  width = 32,
): Distiller {
  const dimension = teacher.dimension;
  const student = new MlpDenoiser({ dimension, width, depth: 2, embeddingSize: 8, seed: 11 });
  const fakeScore = new MlpDenoiser({ dimension, width, depth: 2, embeddingSize: 8, seed: 12 });
  const discriminator = mlpDistillDiscriminator(
    new MlpDiscriminator({
      dimension: dimension,
      width: width,
      depth: 2,
      embeddingSize: 8,
      seed: 13,
    }),
  );
  return new Distiller({ teacher, student, fakeScore, discriminator }, mixtureSource(teacher), {
    batchSize: 32,
    ...options,
  });
}

/** Two 2-D modes at (-1, 0) and (1, 0), std 0.1, weights 0.8 and 0.2: the tests' exact teacher. */
export function twoModeMixture(): GaussianMixture {
  return new GaussianMixture({
    means: [
      [-1, 0],
      [1, 0],
    ],
    stds: 0.1,
    weights: [0.8, 0.2],
  });
}
