import type { GaussianMixture } from '@fdistill/score';
import type { DataBatch, DataSource } from './data-source.js';

/**
 * Exact samples of a Gaussian mixture as training data (the testbed's "real data").
 *
 * @example const source = mixtureSource(ringMixture({ weights: [4, 1, 1, 1, 1, 1, 1, 1] }));
 */
export function mixtureSource(mixture: GaussianMixture): DataSource {
  return {
    sampleShape: [mixture.dimension],
    sample: (batchSize: number, seed: number): DataBatch => ({
      x: mixture.sample(batchSize, seed),
    }),
  };
}
