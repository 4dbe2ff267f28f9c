import '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { mixtureStatistics } from '@fdistill/testing/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from './gaussian-mixture.js';
import { gridMixture, ringMixture } from './mixture-presets.js';

interface ReferenceCase {
  sigma: number;
  x: number[][];
  logDensity: number[];
  score: number[][];
  denoise: number[][];
}

// Float64 references from scipy (fixtures/gaussian-mixture.py): log-densities by
// multivariate_normal + logsumexp, scores by central finite differences of that log-density,
// denoisers by Tweedie's formula x + sigma^2 score.
const reference = JSON.parse(
  readFileSync(new URL('../fixtures/gaussian-mixture.json', import.meta.url), 'utf8'),
) as { weights: number[]; means: number[][]; stds: number[]; cases: ReferenceCase[] };

const referenceMixture = new GaussianMixture({
  weights: reference.weights,
  means: reference.means,
  stds: reference.stds,
});

/** Largest |actual - expected| / (1 + |expected|) over all entries. */
function worstRelativeError(actual: ArrayLike<number>, expected: number[]): number {
  let worst = 0;
  for (const [i, value] of expected.entries()) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - value) / (1 + Math.abs(value)));
  }
  return worst;
}

describe('GaussianMixture against float64 references', () => {
  // float32 carries ~7 significant digits (ulp 6e-8); log-densities reach -1e3 at sigma 0.002 far
  // from the modes, and scores 1e3, so errors are measured relative to 1 + |value|. Observed:
  // <= 5e-7; bounds 2e-6 (log-density) and 5e-6 (score, denoiser, which go through a softmax).
  for (const referenceCase of reference.cases) {
    it(`matches scipy at sigma ${referenceCase.sigma} (log-density, score, denoiser)`, () => {
      const x = tf.tensor2d(referenceCase.x);
      const logDensity = referenceMixture.logDensity(x, referenceCase.sigma);
      const score = referenceMixture.score(x, referenceCase.sigma);
      const denoised = referenceMixture.denoise(x, referenceCase.sigma);
      expect(logDensity.shape).toEqual([x.shape[0]]);
      expect(worstRelativeError(logDensity.dataSync(), referenceCase.logDensity)).toBeLessThan(
        2e-6,
      );
      expect(worstRelativeError(score.dataSync(), referenceCase.score.flat())).toBeLessThan(5e-6);
      expect(worstRelativeError(denoised.dataSync(), referenceCase.denoise.flat())).toBeLessThan(
        5e-6,
      );
      tf.dispose([x, logDensity, score, denoised]);
    });
  }

  it('takes one sigma per sample and gives the same values as a shared sigma', () => {
    const points = reference.cases.flatMap((c) => c.x);
    const sigmas = reference.cases.flatMap((c) => c.x.map(() => c.sigma));
    const x = tf.tensor2d(points);
    const sigma = tf.tensor1d(sigmas);
    const score = referenceMixture.score(x, sigma);
    const logDensity = referenceMixture.logDensity(x, sigma);
    expect(
      worstRelativeError(
        score.dataSync(),
        reference.cases.flatMap((c) => c.score.flat()),
      ),
    ).toBeLessThan(5e-6);
    expect(
      worstRelativeError(
        logDensity.dataSync(),
        reference.cases.flatMap((c) => c.logDensity),
      ),
    ).toBeLessThan(2e-6);
    tf.dispose([x, sigma, score, logDensity]);
  });

  it('has denoise = x + sigma^2 score and score = finite-difference gradient of logDensity', () => {
    const x = tf.tensor2d(reference.cases[2]?.x as number[][]);
    for (const sigma of [0.002, 0.3, 80]) {
      const score = referenceMixture.score(x, sigma);
      const denoised = referenceMixture.denoise(x, sigma);
      const tweedie = tf.add(x, tf.mul(score, sigma * sigma));
      // Both sides are float32: allow a few ulps of the larger of |x| and |sigma^2 score|.
      const scale = tf.add(1, tf.maximum(tf.abs(x), tf.abs(tf.sub(tweedie, x))));
      const error = tf
        .max(tf.div(tf.abs(tf.sub(denoised, tweedie)), scale))
        .dataSync()[0] as number;
      expect(error).toBeLessThan(1e-5);
      tf.dispose([score, denoised, tweedie, scale]);
    }
    // A float32 finite difference of the float32 log-density at sigma 1, where the log-density
    // is smooth on the scale of the step h = 1e-2: truncation ~h^2 |f'''| / 6 ~ 1e-4 and rounding
    // ~1e-7 |f| / h ~ 1e-5, so 2e-3 is loose yet fails on any sign or factor error.
    const step = 1e-2;
    const score = referenceMixture.score(x, 1).arraySync() as number[][];
    for (let j = 0; j < 3; j++) {
      const shift = tf.oneHot(tf.fill([x.shape[0] as number], j, 'int32'), 3);
      const forward = referenceMixture.logDensity(tf.add(x, tf.mul(shift, step)), 1).dataSync();
      const backward = referenceMixture.logDensity(tf.sub(x, tf.mul(shift, step)), 1).dataSync();
      for (const [i, row] of score.entries()) {
        const difference = ((forward[i] as number) - (backward[i] as number)) / (2 * step);
        expect(Math.abs(difference - (row[j] as number))).toBeLessThan(2e-3);
      }
      shift.dispose();
    }
    x.dispose();
  });

  it('stays finite at sigma 0.002 far from every mode and at sigma 80', () => {
    const x = tf.tensor2d([
      [50, -50, 50],
      [0, 0, 0],
    ]);
    for (const sigma of [0.002, 80]) {
      for (const values of [
        referenceMixture.logDensity(x, sigma),
        referenceMixture.score(x, sigma),
        referenceMixture.denoise(x, sigma),
      ]) {
        expect(Array.from(values.dataSync()).every(Number.isFinite)).toBe(true);
        values.dispose();
      }
    }
    x.dispose();
  });
});

describe('GaussianMixture class conditioning', () => {
  it('restricts to one component per label; the null label is the full mixture', () => {
    const x = tf.tensor2d(reference.cases[1]?.x as number[][]);
    const batch = x.shape[0] as number;
    const sigma = 0.7;
    const labels = tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 5),
      'int32',
    );
    const conditional = referenceMixture.logDensity(x, sigma, labels).dataSync();
    const full = referenceMixture.logDensity(x, sigma).dataSync();
    const points = x.arraySync() as number[][];
    for (const [i, point] of points.entries()) {
      const k = i % 5;
      if (k === 4) {
        expect(conditional[i]).toBeCloseTo(full[i] as number, 5);
        continue;
      }
      const variance = (reference.stds[k] as number) ** 2 + sigma * sigma;
      const squared = point.reduce(
        (sum, value, j) => sum + (value - (reference.means[k]?.[j] as number)) ** 2,
        0,
      );
      const expected = -1.5 * Math.log(2 * Math.PI * variance) - squared / (2 * variance);
      expect(conditional[i]).toBeCloseTo(expected, 4);
    }
    const denoised = referenceMixture.denoise(x, sigma, labels).arraySync() as number[][];
    for (const [i, point] of points.entries()) {
      const k = i % 5;
      if (k === 4) continue;
      const shrink =
        (reference.stds[k] as number) ** 2 / ((reference.stds[k] as number) ** 2 + sigma * sigma);
      for (let j = 0; j < 3; j++) {
        const mean = (reference.means[k] as number[])[j] as number;
        expect(denoised[i]?.[j]).toBeCloseTo(mean + shrink * ((point[j] as number) - mean), 5);
      }
    }
    tf.dispose([x, labels]);
  });
});

describe('GaussianMixture.sample', () => {
  it('reproduces weights, means and stds (unequal weights), seeded', () => {
    const weights = [4, 1, 2, 1, 3, 1, 2, 2];
    const ring = ringMixture({ modes: 8, radius: 1, std: 0.05, weights });
    const count = 20000;
    const samples = ring.sample(count, 11);
    const again = ring.sample(count, 11);
    expect(Array.from(again.dataSync())).toEqual(Array.from(samples.dataSync()));
    const statistics = mixtureStatistics(ring, samples);
    // Standard errors: a share p has sqrt(p (1 - p) / n) <= 0.0035; a mode mean s / sqrt(n_k)
    // <= 0.05 / sqrt(1250) = 0.0014 per coordinate; a std estimated from 2 n_k squared
    // deviations has relative error 1 / sqrt(2 * 2 n_k) <= 1.4% (pooled: 1 / sqrt(4 n) = 0.35%).
    // Modes 1.0 apart with std 0.05 never overlap, so nearest-mode assignment is exact. Bounds
    // are 4 standard errors.
    for (let k = 0; k < 8; k++) {
      const p = ring.weights[k] as number;
      expect(p).toBeCloseTo((weights[k] as number) / 16, 12);
      expect(Math.abs((statistics.fractions[k] as number) - p)).toBeLessThan(
        4 * Math.sqrt((p * (1 - p)) / count),
      );
      const n = statistics.counts[k] as number;
      for (let j = 0; j < 2; j++) {
        expect(
          Math.abs((statistics.means[k]?.[j] as number) - (ring.means[k]?.[j] as number)),
        ).toBeLessThan((4 * 0.05) / Math.sqrt(n));
      }
      expect(Math.abs((statistics.stds[k] as number) / 0.05 - 1)).toBeLessThan(
        4 / Math.sqrt(4 * n),
      );
    }
    expect(Math.abs(statistics.pooledStd / 0.05 - 1)).toBeLessThan(4 / Math.sqrt(4 * count));
    tf.dispose([samples, again]);
  });

  it('draws the labelled component where labels are given', () => {
    const ring = ringMixture({ modes: 4, radius: 1, std: 0.01 });
    const labels = tf.tensor1d([0, 1, 2, 3, 3, 2], 'int32');
    const samples = ring.sample(6, 3, labels);
    const nearest = ring.nearestComponent(samples);
    expect(Array.from(nearest.dataSync())).toEqual([0, 1, 2, 3, 3, 2]);
    tf.dispose([labels, samples, nearest]);
  });
});

describe('mixture presets and validation', () => {
  it('places ring and grid modes', () => {
    const ring = ringMixture({ modes: 4, radius: 2, std: 0.1 });
    expect(ring.means[1]?.[0]).toBeCloseTo(0, 12);
    expect(ring.means[1]?.[1]).toBeCloseTo(2, 12);
    expect(ring.stds).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(ring.weights).toEqual([0.25, 0.25, 0.25, 0.25]);
    const grid = gridMixture({ side: 5, spacing: 0.5, std: 0.02 });
    expect(grid.componentCount).toBe(25);
    expect(grid.means[0]).toEqual([-1, -1]);
    expect(grid.means[7]).toEqual([0, -0.5]);
    expect(grid.means[24]).toEqual([1, 1]);
    expect(Object.isFrozen(grid.means)).toBe(true);
  });

  it('rejects bad arguments, naming them', () => {
    expect(() => new GaussianMixture({ means: [], stds: 1 })).toThrow(
      'options.means must be a non-empty array',
    );
    expect(() => new GaussianMixture({ means: [[0, 0], [1]], stds: 1 })).toThrow(
      'options.means[1] must be an array of 2 numbers',
    );
    expect(() => new GaussianMixture({ means: [[0], [1]], stds: [1] })).toThrow(
      'options.stds must be a number or an array of 2 numbers',
    );
    expect(() => new GaussianMixture({ means: [[0]], stds: 0 })).toThrow(
      'options.stds[0] must be a finite number > 0',
    );
    expect(() => new GaussianMixture({ means: [[0], [1]], stds: 1, weights: [1, -1] })).toThrow(
      'options.weights[1] must be a finite number > 0',
    );
    expect(() => ringMixture({ modes: 0 })).toThrow(
      'ringMixture: options.modes must be an integer >= 1',
    );
    const mixture = ringMixture();
    const x = tf.zeros([3, 3]);
    expect(() => mixture.score(x, 1)).toThrow('x must be a tensor of shape [batch, 2], got [3,3]');
    x.dispose();
    const y = tf.zeros([3, 2]);
    expect(() => mixture.score(y, 0)).toThrow('sigma must be a finite number > 0');
    expect(() => mixture.score(y, 1, tf.tensor1d([1, 2], 'int32'))).toThrow(
      'labels must have one label per sample (3)',
    );
    expect(() => mixture.sample(0, 1)).toThrow('count must be an integer >= 1');
    y.dispose();
  });
});
