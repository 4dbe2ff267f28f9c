import type { ArrayInput } from './array-input.js';
import { type IsotropicGaussianMixture, mixtureArrays } from './gaussian-mixture.js';
import { toMatrix } from './matrix.js';
import { squaredDistance } from './nearest-neighbours.js';

/**
 * The exact log-density of each sample under an isotropic Gaussian mixture (the exact teacher),
 * in float64 with log-sum-exp, so samples far from every mode get large negative but finite
 * values: `ln p(x) = LSE_k [ln w_k - d/2 ln(2 pi s_k^2) - |x - mu_k|^2 / (2 s_k^2)]`.
 *
 * @example mixtureLogDensity([[0]], { weights: [1], means: [[0]], stds: [1] }) // [-0.9189...] = -ln(2 pi) / 2
 */
export function mixtureLogDensity(
  samples: ArrayInput,
  mixture: IsotropicGaussianMixture,
): Float64Array {
  return logDensities('mixtureLogDensity', samples, mixture);
}

/**
 * The mean exact log-density of samples under the mixture (higher: samples sit where the teacher
 * puts mass; it does not reward covering every mode, see `mixtureModeMetrics`).
 *
 * @example meanMixtureLogDensity(studentSamples, teacherMixture) // e.g. 1.73
 */
export function meanMixtureLogDensity(
  samples: ArrayInput,
  mixture: IsotropicGaussianMixture,
): number {
  const values = logDensities('meanMixtureLogDensity', samples, mixture);
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function logDensities(
  name: string,
  samples: ArrayInput,
  mixture: IsotropicGaussianMixture,
): Float64Array {
  const modes = mixtureArrays(`${name}(samples, mixture): mixture`, mixture);
  const points = toMatrix(`${name}(samples, mixture): samples`, samples, {
    columns: modes.dimension,
    columnsOf: 'the mixture means',
  });
  const d = modes.dimension;
  // Per component: ln w_k - d/2 ln(2 pi s_k^2), and 1 / (2 s_k^2).
  const offsets = new Float64Array(modes.components);
  const scales = new Float64Array(modes.components);
  for (let mode = 0; mode < modes.components; mode++) {
    const variance = (modes.stds[mode] as number) ** 2;
    offsets[mode] =
      Math.log(modes.weights[mode] as number) - (d / 2) * Math.log(2 * Math.PI * variance);
    scales[mode] = 1 / (2 * variance);
  }
  const terms = new Float64Array(modes.components);
  const output = new Float64Array(points.rows);
  for (let row = 0; row < points.rows; row++) {
    let largest = Number.NEGATIVE_INFINITY;
    for (let mode = 0; mode < modes.components; mode++) {
      const distance = squaredDistance(points.data, row, modes.means, mode, d);
      const term = (offsets[mode] as number) - distance * (scales[mode] as number);
      terms[mode] = term;
      if (term > largest) largest = term;
    }
    let sum = 0;
    for (let mode = 0; mode < modes.components; mode++)
      sum += Math.exp((terms[mode] as number) - largest);
    output[row] = largest + Math.log(sum);
  }
  return output;
}
