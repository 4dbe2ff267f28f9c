import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import { type IsotropicGaussianMixture, mixtureArrays } from './gaussian-mixture.js';
import { toMatrix } from './matrix.js';
import { squaredDistance } from './nearest-neighbours.js';

/** Options of `mixtureModeMetrics`. */
export interface MixtureModeMetricsOptions {
  /** A sample is high quality within this many stds of its nearest mode's mean; default 3. */
  thresholdStds?: number;
  /**
   * A mode is captured when it gets at least this many high-quality samples; default 20
   * (PacGAN's rule for 2500 samples on ring-8 / grid-25). Scale it with the sample count.
   */
  minimumCount?: number;
}

/** Mode-collapse measures of samples from a mixture (GAN literature: 8-ring, 25-grid). */
export interface MixtureModeMetrics {
  /** Number of modes with at least `minimumCount` high-quality samples. */
  readonly modesCaptured: number;
  /** Per mode: captured or not. */
  readonly capturedModes: readonly boolean[];
  /** Share of all samples that are high quality. */
  readonly highQualityFraction: number;
  /** High-quality samples per mode (the mode histogram). */
  readonly modeCounts: readonly number[];
  /**
   * `KL(histogram || weights) = sum_k h_k ln(h_k / w_k)` over the normalized histogram of
   * high-quality samples; empty bins add 0 (`0 ln 0 = 0`), so missing modes raise it only through
   * the other bins. 0 for a perfect histogram; `ln K` for all samples in one of K equal modes.
   * NaN when there are no high-quality samples.
   */
  readonly modeKlDivergence: number;
  /** Number of samples measured. */
  readonly sampleCount: number;
}

/**
 * Mode coverage of samples against the true mixture (VEEGAN, PacGAN): each sample goes to the
 * mode whose mean is nearest (Euclidean), and is high quality when that distance is at most
 * `thresholdStds` times the mode's std. Reports the modes captured, the share of high-quality
 * samples and the KL divergence between the mode histogram and the true weights. Meant for
 * low-dimensional mixtures: in d dimensions a true sample lies about `std sqrt(d)` from its mean.
 *
 * @example
 * const ring = { weights: Array(8).fill(1 / 8), means: ringMeans, stds: Array(8).fill(0.05) };
 * mixtureModeMetrics(studentSamples, ring); // { modesCaptured: 8, highQualityFraction: 0.97, ... }
 */
export function mixtureModeMetrics(
  samples: ArrayInput,
  mixture: IsotropicGaussianMixture,
  options: MixtureModeMetricsOptions = {},
): MixtureModeMetrics {
  const thresholdStds = options.thresholdStds ?? 3;
  const minimumCount = options.minimumCount ?? 20;
  assertPositiveNumber('mixtureModeMetrics: options.thresholdStds', thresholdStds);
  assertIntegerAtLeast('mixtureModeMetrics: options.minimumCount', minimumCount, 1);
  const modes = mixtureArrays('mixtureModeMetrics(samples, mixture): mixture', mixture);
  const points = toMatrix('mixtureModeMetrics(samples, mixture): samples', samples, {
    columns: modes.dimension,
    columnsOf: 'the mixture means',
  });
  const counts = new Array<number>(modes.components).fill(0);
  let highQuality = 0;
  for (let row = 0; row < points.rows; row++) {
    let nearest = 0;
    let nearestDistance = Number.POSITIVE_INFINITY;
    for (let mode = 0; mode < modes.components; mode++) {
      const distance = squaredDistance(points.data, row, modes.means, mode, modes.dimension);
      if (distance < nearestDistance) {
        nearestDistance = distance;
        nearest = mode;
      }
    }
    const radius = thresholdStds * (modes.stds[nearest] as number);
    if (nearestDistance <= radius * radius) {
      counts[nearest] = (counts[nearest] as number) + 1;
      highQuality++;
    }
  }
  let divergence = highQuality === 0 ? Number.NaN : 0;
  if (highQuality > 0) {
    counts.forEach((count, mode) => {
      if (count === 0) return;
      const share = count / highQuality;
      divergence += share * Math.log(share / (modes.weights[mode] as number));
    });
  }
  const capturedModes = counts.map((count) => count >= minimumCount);
  return {
    modesCaptured: capturedModes.filter(Boolean).length,
    capturedModes,
    highQualityFraction: highQuality / points.rows,
    modeCounts: counts,
    modeKlDivergence: Math.max(0, divergence), // NaN stays NaN; rounding below 0 becomes 0
    sampleCount: points.rows,
  };
}
