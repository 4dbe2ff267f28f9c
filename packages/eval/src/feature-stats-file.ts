import type { FeatureStats } from './feature-stats.js';
import { decodeNpz, encodeNpz } from './npz.js';

/**
 * Encodes statistics as a numpy `.npz` file with arrays `mu` (d), `sigma` (d x d) and `count`:
 * the layout of EDM's and pytorch-fid's reference statistics, so `np.load` reads it too.
 *
 * @example const bytes = featureStatsToNpz(featureStats(features));
 */
export function featureStatsToNpz(stats: FeatureStats): Uint8Array {
  const d = stats.mu.length;
  if (stats.sigma.length !== d * d) {
    throw new RangeError(
      `featureStatsToNpz(stats): stats.sigma must have ${d * d} values, got ${stats.sigma.length}`,
    );
  }
  return encodeNpz({
    mu: { data: stats.mu, shape: [d] },
    sigma: { data: stats.sigma, shape: [d, d] },
    count: { data: Float64Array.of(stats.count), shape: [], dtype: 'int64' },
  });
}

/**
 * Decodes statistics from `.npz` bytes holding `mu` and `sigma` (float64 or float32, as written
 * by `np.savez` or `np.savez_compressed`, e.g. EDM's `fid-refs/*.npz`) and optionally `count`
 * (0 when absent). Values come back as float64.
 *
 * @example const stats = await featureStatsFromNpz(await readFile('cifar10-32x32.npz'));
 */
export async function featureStatsFromNpz(bytes: Uint8Array): Promise<FeatureStats> {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError('featureStatsFromNpz(bytes): bytes must be a Uint8Array (or a Buffer)');
  }
  const arrays = await decodeNpz(bytes);
  const mu = arrays.get('mu');
  const sigma = arrays.get('sigma');
  if (!mu || !sigma) {
    throw new Error(
      `featureStatsFromNpz(bytes): the file must hold arrays mu and sigma, found ${[...arrays.keys()].join(', ') || 'none'}`,
    );
  }
  const d = mu.data.length;
  if (
    mu.shape.length !== 1 ||
    sigma.shape.length !== 2 ||
    sigma.shape[0] !== d ||
    sigma.shape[1] !== d
  ) {
    throw new RangeError(
      `featureStatsFromNpz(bytes): mu must have shape [d] and sigma [d, d], got [${mu.shape.join(', ')}] and [${sigma.shape.join(', ')}]`,
    );
  }
  const count = arrays.get('count')?.data[0] ?? 0;
  return { mu: mu.data, sigma: sigma.data, count };
}
