import type { ArrayInput } from './array-input.js';
import { type ClassDistribution, classDistribution } from './class-distribution.js';
import { featureStatsOfMatrix, STATS_REQUIREMENTS } from './feature-stats.js';
import { frechetDistanceFromStats } from './frechet-distance.js';
import { readMatrix } from './matrix.js';
import { precisionRecall } from './precision-recall.js';

/** Inputs of `domainMetrics`: a domain classifier's outputs on generated and real samples. */
export interface DomainMetricsInput {
  /** Penultimate-layer features of the generated samples [N, d]. */
  generatedFeatures: ArrayInput;
  /** Logits of the generated samples [N, K]. */
  generatedLogits: ArrayInput;
  /** Features of the real reference set (e.g. the 10k test images) [M, d]. */
  referenceFeatures: ArrayInput;
  /** The label each generated sample was asked for (class-conditional sampling). */
  requestedLabels?: readonly number[];
}

/** Domain-FID, precision/recall and the class histogram of generated samples. */
export interface DomainMetrics {
  /** Frechet distance between the Gaussians of generated and reference features. */
  domainFid: number;
  /** k-NN precision and recall (k = 3) against the first N reference samples (equal set sizes). */
  precision: number;
  recall: number;
  classes: ClassDistribution;
}

/**
 * The field's metrics for MNIST-like data, computed on a domain classifier's features instead of
 * Inception's: Frechet distance to the reference set (all of it), improved precision and recall
 * (Kynkaenniemi et al., k = 3, against as many reference samples as there are generated ones),
 * and the class histogram of the generated samples (with the share classified as requested).
 *
 * @example
 * const metrics = domainMetrics({ generatedFeatures, generatedLogits, referenceFeatures, requestedLabels });
 * metrics.domainFid; metrics.classes.classesCovered;
 */
export function domainMetrics(input: DomainMetricsInput): DomainMetrics {
  const generated = readMatrix(
    'domainMetrics: generatedFeatures',
    input.generatedFeatures,
    STATS_REQUIREMENTS,
  );
  const reference = readMatrix('domainMetrics: referenceFeatures', input.referenceFeatures, {
    ...STATS_REQUIREMENTS,
    columns: generated.columns,
    columnsOf: 'generatedFeatures',
  });
  const classes = classDistribution(input.generatedLogits, {
    ...(input.requestedLabels === undefined ? {} : { requestedLabels: input.requestedLabels }),
  });
  const generatedCount = generated.rows;
  if (classes.counts.reduce((sum, count) => sum + count, 0) !== generatedCount) {
    throw new RangeError(
      `domainMetrics: generatedLogits must have one row per generated sample (${generatedCount})`,
    );
  }
  const domainFid = frechetDistanceFromStats(
    featureStatsOfMatrix(generated),
    featureStatsOfMatrix(reference),
  );
  const subsetRows = Math.min(reference.rows, generatedCount);
  const referenceSubset = {
    data: Array.prototype.slice.call(reference.data, 0, subsetRows * reference.columns) as number[],
    shape: [subsetRows, reference.columns],
  };
  const { precision, recall } = precisionRecall(referenceSubset, {
    data: generated.data,
    shape: [generated.rows, generated.columns],
  });
  return { domainFid, precision, recall, classes };
}
