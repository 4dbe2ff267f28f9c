import { describe, expect, it } from 'vitest';
import type { IsotropicGaussianMixture } from './gaussian-mixture.js';
import { meanMixtureLogDensity, mixtureLogDensity } from './mixture-log-density.js';
import { mixtureModeMetrics } from './mixture-mode-metrics.js';

const std = 0.05;
const ringMeans = Array.from({ length: 8 }, (_, mode) => [
  2 * Math.cos((2 * Math.PI * mode) / 8),
  2 * Math.sin((2 * Math.PI * mode) / 8),
]);
const ring: IsotropicGaussianMixture = {
  weights: Array(8).fill(1 / 8),
  means: ringMeans,
  stds: Array(8).fill(std),
};

/** `count` samples around mode `mode`, all within 2 stds of its mean. */
function around(mode: number, count: number): number[][] {
  const [x, y] = ringMeans[mode] as [number, number];
  return Array.from({ length: count }, (_, index) => {
    const angle = (2 * Math.PI * index) / count;
    const radius = 2 * std * ((index % 5) / 5);
    return [x + radius * Math.cos(angle), y + radius * Math.sin(angle)];
  });
}

describe('mixtureModeMetrics', () => {
  it('all modes: 8 captured, KL 0, and off-mode samples lower the high-quality share', () => {
    const samples = [
      ...ringMeans.flatMap((_, mode) => around(mode, 25)),
      ...Array(50).fill([0, 0]),
    ];
    const metrics = mixtureModeMetrics(samples, ring);
    expect(metrics.modesCaptured).toBe(8);
    expect(metrics.capturedModes).toEqual(Array(8).fill(true));
    expect(metrics.modeCounts).toEqual(Array(8).fill(25));
    expect(metrics.highQualityFraction).toBe(200 / 250);
    expect(metrics.modeKlDivergence).toBeCloseTo(0, 14);
    expect(metrics.sampleCount).toBe(250);
  });

  it('half of the modes: 4 captured, KL ln 2', () => {
    const samples = [0, 2, 4, 6].flatMap((mode) => around(mode, 50));
    const metrics = mixtureModeMetrics(samples, ring);
    expect(metrics.modesCaptured).toBe(4);
    expect(metrics.capturedModes).toEqual([true, false, true, false, true, false, true, false]);
    expect(metrics.highQualityFraction).toBe(1);
    expect(metrics.modeKlDivergence).toBeCloseTo(Math.LN2, 14);
  });

  it('one mode: 1 captured, KL ln 8', () => {
    const metrics = mixtureModeMetrics(around(3, 200), ring);
    expect(metrics.modesCaptured).toBe(1);
    expect(metrics.modeCounts).toEqual([0, 0, 0, 200, 0, 0, 0, 0]);
    expect(metrics.modeKlDivergence).toBeCloseTo(Math.log(8), 14);
  });

  it('applies the minimum count, the 3-std boundary and unequal weights', () => {
    // 19 samples do not capture a mode, 20 do.
    const samples = [...around(0, 19), ...around(1, 20)];
    expect(mixtureModeMetrics(samples, ring).capturedModes.slice(0, 2)).toEqual([false, true]);
    expect(mixtureModeMetrics(samples, ring, { minimumCount: 1 }).modesCaptured).toBe(2);
    // Exactly 3 std away counts; a hair further does not.
    const line: IsotropicGaussianMixture = {
      weights: [2, 1, 1],
      means: [[0], [10], [20]],
      stds: [1, 1, 1],
    };
    const boundary = mixtureModeMetrics([[3], [-3.000001], [10], [20]], line, { minimumCount: 1 });
    expect(boundary.modeCounts).toEqual([1, 1, 1]);
    expect(boundary.highQualityFraction).toBe(3 / 4);
    // Histogram [0.5, 0.5, 0] against weights [0.5, 0.25, 0.25]: KL = 0.5 ln 2 (empty bin adds 0).
    const skewed = mixtureModeMetrics([[0], [0.5], [10], [10.5]], line, { minimumCount: 1 });
    expect(skewed.modeKlDivergence).toBeCloseTo(0.5 * Math.LN2, 14);
    expect(mixtureModeMetrics([[5]], line).modeKlDivergence).toBeNaN();
  });

  it('validates the mixture, the samples and the options', () => {
    expect(() => mixtureModeMetrics([[0, 0, 0]], ring)).toThrow(
      'samples must have 2 columns like the mixture means, got 3',
    );
    expect(() => mixtureModeMetrics([[0, 0]], { ...ring, stds: [1] })).toThrow(
      'mixture.stds must hold 8 numbers like weights',
    );
    expect(() =>
      mixtureModeMetrics([[0, 0]], { ...ring, weights: [...Array(7).fill(1), 0] }),
    ).toThrow('mixture.weights[7] must be a finite number > 0, got 0');
    expect(() => mixtureModeMetrics([[0, 0]], ring, { thresholdStds: -1 })).toThrow(
      'options.thresholdStds must be a finite number > 0, got -1',
    );
  });
});

describe('mixtureLogDensity', () => {
  it('matches the closed form of one Gaussian in d dimensions', () => {
    const d = 3;
    const s = 0.7;
    const single: IsotropicGaussianMixture = { weights: [1], means: [[1, 2, 3]], stds: [s] };
    const [value] = mixtureLogDensity([[1.5, 2, 2]], single);
    const expected = (-d / 2) * Math.log(2 * Math.PI * s * s) - (0.25 + 1) / (2 * s * s);
    expect(value).toBeCloseTo(expected, 13);
  });

  it('sums the components exactly and stays finite far from every mode', () => {
    const pair: IsotropicGaussianMixture = { weights: [3, 1], means: [[-1], [2]], stds: [1, 0.5] };
    const normal = (x: number, mean: number, s: number) =>
      Math.exp(-((x - mean) ** 2) / (2 * s * s)) / Math.sqrt(2 * Math.PI * s * s);
    const x = 0.3;
    const expected = Math.log(0.75 * normal(x, -1, 1) + 0.25 * normal(x, 2, 0.5));
    expect(mixtureLogDensity([[x]], pair)[0]).toBeCloseTo(expected, 13);
    // At x = 1000 every density underflows; the nearer component (by log-density) dominates.
    const far = mixtureLogDensity([[1000]], pair)[0] as number;
    const logFirst = Math.log(0.75) - 0.5 * Math.log(2 * Math.PI) - 1001 ** 2 / 2;
    const logSecond = Math.log(0.25) - 0.5 * Math.log(2 * Math.PI * 0.25) - 998 ** 2 / 0.5;
    expect(far).toBe(Math.max(logFirst, logSecond));
    expect(Number.isFinite(far)).toBe(true);
  });

  it('averages to the mean log-density', () => {
    const samples = [[-1], [0], [2.5]];
    const mixture: IsotropicGaussianMixture = { weights: [1, 1], means: [[-1], [2]], stds: [1, 1] };
    const values = mixtureLogDensity(samples, mixture);
    expect(meanMixtureLogDensity(samples, mixture)).toBeCloseTo(
      values.reduce((sum, value) => sum + value, 0) / 3,
      14,
    );
  });
});
