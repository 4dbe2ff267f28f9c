import '@tensorflow/tfjs';
import { normalRows, seededRandom } from '@fdistill/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import reference from '../fixtures/frechet-distance.json' with { type: 'json' };
import { FeatureStatsAccumulator, featureStats } from './feature-stats.js';
import { frechetDistance, frechetDistanceFromStats } from './frechet-distance.js';

const relativeError = (actual: number, expected: number) => Math.abs(actual / expected - 1);

describe('frechetDistance', () => {
  it('equals numpy/scipy (EDM fid.py with scipy.linalg.sqrtm) to 1e-6 relative on 64-d features', () => {
    const { a, b, frechetDistance: expected } = reference.cases['full-rank'];
    const actual = frechetDistance(a, b);
    expect(relativeError(actual, expected)).toBeLessThan(1e-6);
    // In fact it agrees to about 5e-14.
    expect(relativeError(actual, expected)).toBeLessThan(1e-12);
  });

  it('equals numpy/scipy for rank-deficient covariances (48 samples of 64-d features)', () => {
    const {
      a,
      b,
      frechetDistance: scipySqrtm,
      frechetDistanceEigh,
    } = reference.cases['rank-deficient'];
    const actual = frechetDistance(a, b);
    expect(relativeError(actual, scipySqrtm)).toBeLessThan(1e-6);
    // The 16 zero eigenvalues come out as rounding noise of about 1e-15, whose square roots
    // (about 3e-8 each) move every implementation by about 1e-8 relative.
    expect(relativeError(actual, frechetDistanceEigh)).toBeLessThan(1e-7);
  });

  it('gives 0 for identical sets and is symmetric', () => {
    const { a, b } = reference.cases['full-rank'];
    expect(frechetDistance(a, a)).toBeLessThan(1e-8);
    const forward = frechetDistance(a, b);
    const backward = frechetDistance(b, a);
    expect(relativeError(backward, forward)).toBeLessThan(1e-12);
  });

  it('matches closed forms: shifted sets and scaled Gaussians', () => {
    const random = seededRandom(3);
    const base = normalRows(random, 50, 4);
    const shift = [1, -2, 0.5, 0];
    const shifted = base.map((row) => row.map((value, index) => value + (shift[index] as number)));
    // Same covariance, so the distance is |shift|^2 = 5.25.
    expect(frechetDistance(base, shifted)).toBeCloseTo(5.25, 10);
    // N(0, s1^2 I) and N(0, s2^2 I) in d dims: d (s1 - s2)^2.
    const d = 3;
    const identity = (scale: number) =>
      Float64Array.from({ length: d * d }, (_, index) => (index % (d + 1) === 0 ? scale : 0));
    const statsA = { mu: new Float64Array(d), sigma: identity(4), count: 10 };
    const statsB = { mu: Float64Array.of(1, 0, 0), sigma: identity(9), count: 10 };
    expect(frechetDistanceFromStats(statsA, statsB)).toBeCloseTo(1 + d * (2 - 3) ** 2, 12);
  });

  it('accepts number[][], Float32Array with a shape and 2-D tensors alike', () => {
    const { a, b } = reference.cases['full-rank'];
    const expected = frechetDistance(a, b);
    const rows = a.length;
    const columns = a[0]?.length ?? 0;
    const flat = new Float64Array(a.flat());
    expect(frechetDistance({ data: flat, shape: [rows, columns] }, b)).toBe(expected);
    const tensor = tf.tensor2d(b);
    const float32 = frechetDistance(
      { data: new Float32Array(a.flat()), shape: [rows, columns] },
      tensor,
    );
    // float32 rounding of the inputs only.
    expect(relativeError(float32, expected)).toBeLessThan(1e-5);
    tensor.dispose();
  });

  it('rejects wrong ranks, mismatched dimensions, too few rows and NaN before any work', () => {
    expect(() =>
      frechetDistance(
        [[1, 2]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow(
      'frechetDistance(a, b): a must have at least 2 rows (a covariance needs two samples), got 1',
    );
    expect(() =>
      frechetDistance(
        [
          [1, 2],
          [3, 4],
        ],
        [[1], [2]],
      ),
    ).toThrow('frechetDistance(a, b): b must have 2 columns like a, got 1');
    expect(() => frechetDistance({ data: new Float32Array(8), shape: [2, 2, 2] }, [[1]])).toThrow(
      'must be 2-D (one sample per row), got rank 3',
    );
    expect(() =>
      frechetDistance(
        [
          [1, 2],
          [3, Number.NaN],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow('must hold finite numbers, got NaN at index [1, 1]');
    expect(() =>
      frechetDistance(
        [[1, 2], [3]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow('frechetDistance(a, b): a[1] must have 2 values like row 0, got 1');
    const stats = featureStats([
      [0, 1],
      [1, 0],
    ]);
    expect(() => frechetDistanceFromStats(stats, { ...stats, sigma: new Float64Array(3) })).toThrow(
      'b.sigma must be a Float64Array of 2 x 2 = 4 values',
    );
  });
});

describe('featureStats', () => {
  it('equals numpy mean and np.cov (N - 1) on the fixture', () => {
    const stats = featureStats(reference.cases['full-rank'].a);
    expect(stats.count).toBe(reference.stats.count);
    stats.mu.forEach((value, index) => {
      expect(Math.abs(value - (reference.stats.mu[index] as number))).toBeLessThan(1e-13);
    });
    stats.sigma.forEach((value, index) => {
      expect(Math.abs(value - (reference.stats.sigma[index] as number))).toBeLessThan(1e-13);
    });
  });

  it('accumulated batch by batch equals the one-pass result', () => {
    const { a } = reference.cases['full-rank'];
    const whole = featureStats(a);
    const accumulator = new FeatureStatsAccumulator();
    for (let start = 0; start < a.length; start += 37) accumulator.add(a.slice(start, start + 37));
    const merged = accumulator.stats();
    expect(merged.count).toBe(a.length);
    merged.mu.forEach((value, index) => {
      expect(Math.abs(value - (whole.mu[index] as number))).toBeLessThan(1e-14);
    });
    merged.sigma.forEach((value, index) => {
      expect(Math.abs(value - (whole.sigma[index] as number))).toBeLessThan(1e-13);
    });
    expect(() => new FeatureStatsAccumulator(3).add([[1, 2]])).toThrow(
      'features must have 3 columns like the earlier batches, got 2',
    );
    expect(() => new FeatureStatsAccumulator().add([[1, 2]]).stats()).toThrow(
      'needs at least 2 feature vectors, got 1',
    );
  });

  it('keeps float64 accuracy where the one-pass sum of squares cancels', () => {
    // Features with a large common offset: (sum f^2 - N mu^2) loses all digits in float64.
    const offset = 1e8;
    const values = [offset + 1, offset + 2, offset + 3, offset + 4];
    const stats = featureStats(values.map((value) => [value]));
    expect(stats.mu[0]).toBe(offset + 2.5);
    expect(stats.sigma[0]).toBe(5 / 3);
  });
});
