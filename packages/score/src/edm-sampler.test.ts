import '@tensorflow/tfjs';
import { moments } from '@fdistill/testing';
import { mixtureStatistics } from '@fdistill/testing/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GuidedDenoiser } from './classifier-free-guidance.js';
import type { Denoiser } from './denoiser.js';
import { deriveSeed } from './derive-seed.js';
import {
  edmSampler,
  eulerSampler,
  heunSampler,
  samplerNoise,
  stochasticSampler,
} from './edm-sampler.js';
import { GaussianMixture } from './gaussian-mixture.js';
import { karrasSigmas } from './karras-sigmas.js';
import { ringMixture } from './mixture-presets.js';

/** A denoiser that counts its calls. */
function counting(inner: Denoiser): Denoiser & { calls: number } {
  const wrapper = {
    calls: 0,
    sigmaData: inner.sigmaData,
    classCount: inner.classCount,
    denoise(x: tf.Tensor, sigma: number | tf.Tensor, labels?: tf.Tensor) {
      wrapper.calls += 1;
      return inner.denoise(x, sigma, labels);
    },
    score: inner.score.bind(inner),
  };
  return wrapper;
}

const MU = [1, -0.5];
const S = 0.5;
const gaussian = new GaussianMixture({ means: [MU], stds: S });

/**
 * The exact probability-flow ODE of a Gaussian N(mu, s^2 I) from sigma 80 to 0: x_sigma - mu
 * scales by sqrt(s^2 + sigma^2), so x_0 = mu + (80 z - mu) s / sqrt(s^2 + 80^2).
 */
const EXACT_FACTOR = S / Math.sqrt(S * S + 6400);

/**
 * An independent float64 Heun (EDM Algorithm 1) for that Gaussian, where D(x; t) =
 * mu + s^2 / (s^2 + t^2) (x - mu) is linear: the solver maps x_0 - mu = c (80 z - mu) with a
 * constant c, returned here.
 */
function heunFactor(steps: number, secondOrder: boolean): number {
  const rho = 7;
  const top = 80 ** (1 / rho);
  const bottom = 0.002 ** (1 / rho);
  const t = Array.from(
    { length: steps },
    (_, i) => (top + (i / Math.max(steps - 1, 1)) * (bottom - top)) ** rho,
  );
  t.push(0);
  const slope = (x: number, sigma: number) => (x - ((S * S) / (S * S + sigma * sigma)) * x) / sigma;
  let x = 1;
  for (let i = 0; i < steps; i++) {
    const current = t[i] as number;
    const next = t[i + 1] as number;
    const d = slope(x, current);
    let candidate = x + (next - current) * d;
    if (secondOrder && i < steps - 1)
      candidate = x + ((next - current) * (d + slope(candidate, next))) / 2;
    x = candidate;
  }
  return x;
}

/** Largest |sample - (mu + factor (80 z - mu))| over every entry. */
function worstDeviation(samples: tf.Tensor, z: number[][], factor: number): number {
  const rows = samples.arraySync() as number[][];
  let worst = 0;
  for (const [i, row] of z.entries()) {
    for (const [j, value] of row.entries()) {
      const expected = (MU[j] as number) + factor * (80 * value - (MU[j] as number));
      worst = Math.max(worst, Math.abs((rows[i]?.[j] as number) - expected));
    }
  }
  return worst;
}

describe('network evaluations', () => {
  it('are 2N - 1 for Heun (35 at N = 18), N for Euler, 2N - 1 with churn', () => {
    for (const [sampler, steps, expected] of [
      [heunSampler, 18, 35],
      [heunSampler, 5, 9],
      [heunSampler, 1, 1],
      [eulerSampler, 5, 5],
      [stochasticSampler, 6, 11],
    ] as const) {
      const model = counting(gaussian);
      const { samples, networkEvaluations } = sampler(model, { seed: 1, shape: [4, 2], steps });
      expect(networkEvaluations).toBe(expected);
      expect(model.calls).toBe(expected);
      samples.dispose();
    }
  });

  it('leak no tensors', () => {
    const before = tf.memory().numTensors;
    const { samples } = stochasticSampler(gaussian, {
      seed: 1,
      shape: [16, 2],
      steps: 4,
      churn: 5,
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    samples.dispose();
    const z = tf.randomNormal([8, 2], 0, 1, 'float32', 2);
    const labels = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32');
    const ring = ringMixture({ modes: 2 });
    const middle = tf.memory().numTensors;
    const guided = heunSampler(ring, { noise: z, steps: 3, labels, guidance: 2 });
    expect(tf.memory().numTensors).toBe(middle + 1);
    tf.dispose([z, labels, guided.samples]);
  });
});

describe('samplers on a single Gaussian (closed form p_sigma = N(mu, s^2 + sigma^2))', () => {
  const count = 4000;
  const z = tf.randomNormal([count, 2], 0, 1, 'float32', 21);
  const zRows = z.arraySync() as number[][];

  it('Heun with 18 steps equals a float64 Heun sample by sample, and matches N(mu, s^2)', () => {
    const { samples } = heunSampler(gaussian, { noise: z, steps: 18 });
    // float32 against float64 on values up to ~3: 1e-5.
    expect(worstDeviation(samples, zRows, heunFactor(18, true))).toBeLessThan(1e-5);
    // Heun's discretization scales every sample's offset from mu by c / c_exact = 1.055 at
    // N = 18 (s = 0.5; 1.0015 at N = 100), so the std carries that bias; the mean does not.
    const bias = heunFactor(18, true) / EXACT_FACTOR - 1;
    expect(bias).toBeGreaterThan(0.05);
    expect(bias).toBeLessThan(0.06);
    // Standard errors with n = 4000: the mean s / sqrt(n) = 0.0079 per coordinate, the std
    // relative 1 / sqrt(2 n) = 1.1%. Bounds: 4 standard errors, plus the start's bias (sampling
    // starts from N(0, 80^2), not p_80: |mu| s / 80 < 0.007) or the discretization bias.
    const rows = samples.arraySync() as number[][];
    for (let j = 0; j < 2; j++) {
      const { mean, std } = moments(rows.map((row) => row[j] as number));
      expect(Math.abs(mean - (MU[j] as number))).toBeLessThan(4 * (S / Math.sqrt(count)) + 0.007);
      expect(Math.abs(std / S - 1)).toBeLessThan(4 / Math.sqrt(2 * count) + bias);
    }
    samples.dispose();
  });

  it('Heun converges to the exact flow; Euler is first order and less accurate', () => {
    const small = tf.slice(z, [0, 0], [200, 2]);
    const smallRows = zRows.slice(0, 200);
    const heun100 = heunSampler(gaussian, { noise: small, steps: 100 });
    const euler18 = eulerSampler(gaussian, { noise: small, steps: 18 });
    const euler200 = eulerSampler(gaussian, { noise: small, steps: 200 });
    const heun18 = heunSampler(gaussian, { noise: small, steps: 18 });
    expect(worstDeviation(euler18.samples, smallRows, heunFactor(18, false))).toBeLessThan(1e-5);
    const [heunError100, eulerError18, eulerError200, heunError18] = [
      heun100,
      euler18,
      euler200,
      heun18,
    ].map(({ samples }) => worstDeviation(samples, smallRows, EXACT_FACTOR)) as [
      number,
      number,
      number,
      number,
    ];
    // Offsets reach ~2: Heun 100 is within 0.15% of them.
    expect(heunError100).toBeLessThan(5e-3);
    expect(eulerError200).toBeLessThan(eulerError18 / 5);
    expect(heunError18).toBeLessThan(eulerError18 / 2);
    tf.dispose([small, heun100.samples, euler18.samples, euler200.samples, heun18.samples]);
  });

  it('the stochastic sampler equals a float64 replica of EDM Algorithm 2 fed the same noise', () => {
    const options = {
      steps: 18,
      churn: 30,
      churnSigmaMin: 0.01,
      churnSigmaMax: 50,
      churnNoiseScale: 1.003,
    };
    const small = tf.slice(z, [0, 0], [500, 2]);
    const { samples } = stochasticSampler(gaussian, { ...options, noise: small, seed: 5 });
    const again = stochasticSampler(gaussian, { ...options, noise: small, seed: 5 });
    expect(Array.from(again.samples.dataSync())).toEqual(Array.from(samples.dataSync()));
    // The replica: the documented seed streams give the churn noise of step i (stream i + 1).
    const t = [...karrasSigmas(18)];
    let x = (small.arraySync() as number[][]).map((row) => row.map((value) => value * 80));
    const denoise = (value: number, j: number, sigma: number) =>
      (MU[j] as number) + ((S * S) / (S * S + sigma * sigma)) * (value - (MU[j] as number));
    for (let i = 0; i < 18; i++) {
      const current = t[i] as number;
      const next = t[i + 1] as number;
      const gamma = current >= 0.01 && current <= 50 ? Math.min(30 / 18, Math.SQRT2 - 1) : 0;
      const raised = current * (1 + gamma);
      const epsilon = tf.randomNormal([500, 2], 0, 1, 'float32', deriveSeed(5, i + 1));
      const noise = epsilon.arraySync() as number[][];
      epsilon.dispose();
      x = x.map((row, r) =>
        row.map((value, j) => {
          const start =
            gamma > 0
              ? value + Math.sqrt(raised ** 2 - current ** 2) * 1.003 * (noise[r]?.[j] as number)
              : value;
          const d = (start - denoise(start, j, raised)) / raised;
          const euler = start + (next - raised) * d;
          if (i === 17) return euler;
          return start + ((next - raised) * (d + (euler - denoise(euler, j, next)) / next)) / 2;
        }),
      );
    }
    const rows = samples.arraySync() as number[][];
    let worst = 0;
    for (const [i, row] of x.entries()) {
      for (const [j, value] of row.entries())
        worst = Math.max(worst, Math.abs((rows[i]?.[j] as number) - value));
    }
    // float32 against float64 through 35 evaluations, values ~1: 2e-5.
    expect(worst).toBeLessThan(2e-5);
    tf.dispose([small, samples, again.samples]);
  });

  it('the stochastic sampler lands on N(mu, s^2)', () => {
    const { samples } = stochasticSampler(gaussian, {
      seed: 9,
      shape: [count, 2],
      steps: 40,
      churn: 10,
      churnSigmaMin: 0.01,
      churnSigmaMax: 50,
      churnNoiseScale: 1,
    });
    const rows = samples.arraySync() as number[][];
    for (let j = 0; j < 2; j++) {
      const { mean, std } = moments(rows.map((row) => row[j] as number));
      // Standard errors as above. Churn's own discretization bias at N = 40 (S_churn 10),
      // measured by fixtures/sampler-bias.py (float64, 20k samples): std +1.3..2.9% (and +13%
      // at N = 18, S_churn 30, hence the 40 steps here).
      expect(Math.abs(mean - (MU[j] as number))).toBeLessThan(4 * (S / Math.sqrt(count)) + 0.007);
      expect(Math.abs(std / S - 1)).toBeLessThan(4 / Math.sqrt(2 * count) + 0.03);
    }
    samples.dispose();
  });
});

describe('Heun on the exact mixture teacher', () => {
  it('reproduces an 8-mode ring with unequal weights (18 steps, 35 evaluations)', () => {
    const weights = [4, 1, 2, 1, 3, 1, 2, 2];
    const ring = ringMixture({ modes: 8, radius: 1, std: 0.05, weights });
    const count = 4000;
    const { samples, networkEvaluations } = heunSampler(ring, {
      seed: 3,
      shape: [count, 2],
      steps: 18,
    });
    expect(networkEvaluations).toBe(35);
    const statistics = mixtureStatistics(ring, samples);
    // Standard errors with n = 4000: a share p has sqrt(p (1 - p) / n) <= 0.0079; a mode's mean
    // s / sqrt(n_k) <= 0.05 / sqrt(250) = 0.0032 per coordinate; a std from 2 n_k squared
    // deviations 1 / sqrt(4 n_k) <= 3.2% (pooled over all modes 0.8%). Bounds: 4 standard errors,
    // plus Heun-18's own discretization bias, measured by fixtures/sampler-bias.py (float64 Heun,
    // 100k samples of this ring): mode means pushed outward by <= 0.015, stds inflated by 3.6%,
    // shares within sampling error. (Both biases fall below 0.002 and 1% at N = 40.)
    for (let k = 0; k < 8; k++) {
      const p = ring.weights[k] as number;
      const n = statistics.counts[k] as number;
      expect(Math.abs((statistics.fractions[k] as number) - p)).toBeLessThan(
        4 * Math.sqrt((p * (1 - p)) / count),
      );
      for (let j = 0; j < 2; j++) {
        const error = Math.abs(
          (statistics.means[k]?.[j] as number) - (ring.means[k]?.[j] as number),
        );
        expect(error).toBeLessThan((4 * 0.05) / Math.sqrt(n) + 0.015);
      }
      expect(Math.abs((statistics.stds[k] as number) / 0.05 - 1)).toBeLessThan(
        4 / Math.sqrt(4 * n) + 0.036,
      );
    }
    expect(Math.abs(statistics.pooledStd / 0.05 - 1)).toBeLessThan(
      4 / Math.sqrt(4 * count) + 0.036,
    );
    samples.dispose();
  });
});

describe('classifier-free guidance', () => {
  const ring = ringMixture({ modes: 4, radius: 1, std: 0.1, weights: [1, 2, 3, 4] });
  const labels = tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32');

  it('with w = 1 equals the conditional sampler exactly', () => {
    const conditional = heunSampler(ring, { seed: 2, shape: [8, 2], labels });
    const guided = heunSampler(ring, { seed: 2, shape: [8, 2], labels, guidance: 1 });
    const wrapped = heunSampler(new GuidedDenoiser(ring, 1), { seed: 2, shape: [8, 2], labels });
    expect(Array.from(guided.samples.dataSync())).toEqual(
      Array.from(conditional.samples.dataSync()),
    );
    expect(Array.from(wrapped.samples.dataSync())).toEqual(
      Array.from(conditional.samples.dataSync()),
    );
    expect(guided.networkEvaluations).toBe(conditional.networkEvaluations);
    tf.dispose([conditional.samples, guided.samples, wrapped.samples]);
  });

  it('computes x0 = x0_cond + (w - 1)(x0_cond - x0_uncond) with the null label', () => {
    const x = tf.randomNormal([8, 2], 0, 2, 'float32', 4);
    const guided = new GuidedDenoiser(ring, 3).denoise(x, 0.8, labels);
    const conditional = ring.denoise(x, 0.8, labels);
    const unconditional = ring.denoise(x, 0.8);
    const expected = tf.add(conditional, tf.mul(tf.sub(conditional, unconditional), 2));
    const difference = tf.max(tf.abs(tf.sub(guided, expected))).dataSync()[0] as number;
    expect(difference).toBeLessThan(1e-6);
    // One Euler step from sigma 80 to 0 returns the guided denoiser at 80 z.
    const z = tf.randomNormal([8, 2], 0, 1, 'float32', 6);
    const { samples, networkEvaluations } = eulerSampler(ring, {
      noise: z,
      steps: 1,
      labels,
      guidance: 3,
    });
    expect(networkEvaluations).toBe(1);
    const direct = new GuidedDenoiser(ring, 3).denoise(tf.mul(z, 80), 80, labels);
    const stepError = tf.max(tf.abs(tf.sub(samples, direct))).dataSync()[0] as number;
    expect(stepError).toBeLessThan(1e-5);
    tf.dispose([x, guided, conditional, unconditional, expected, z, samples, direct]);
  });

  it('needs labels and a null label', () => {
    expect(() => heunSampler(ring, { seed: 1, shape: [8, 2], guidance: 2 })).toThrow(
      'options.guidance 2 needs options.labels',
    );
    expect(
      () => new GuidedDenoiser({ sigmaData: 0.5, denoise: (x) => x, score: (x) => x }, 2),
    ).toThrow('the denoiser has no classCount');
  });
});

describe('sampler validation', () => {
  it('names the bad option', () => {
    expect(() => heunSampler(gaussian, { seed: 1 })).toThrow(
      'give options.noise, or options.seed and options.shape',
    );
    expect(() => heunSampler(gaussian, { seed: 1, shape: [4, 2], steps: 0 })).toThrow(
      'options.steps must be an integer >= 1',
    );
    expect(() => heunSampler(gaussian, { seed: 1, shape: [4, 0] })).toThrow(
      'options.shape[1] must be an integer >= 1',
    );
    expect(() => heunSampler(gaussian, { seed: 1, shape: [4, 2], sigmaMin: 90 })).toThrow(
      'options.sigmaMax must be > options.sigmaMin (90), got 80',
    );
    const z = tf.zeros([4, 2]);
    expect(() => edmSampler(gaussian, { noise: z, churn: 1 })).toThrow(
      'options.seed is required when options.churn > 0',
    );
    expect(() => edmSampler(gaussian, { noise: z, solver: 'rk4' as never })).toThrow(
      "options.solver must be 'heun' or 'euler'",
    );
    const labels = tf.tensor1d([0, 0], 'int32');
    expect(() => heunSampler(gaussian, { noise: z, labels })).toThrow(
      'must have one label per sample (4)',
    );
    tf.dispose([z, labels]);
  });
});

describe('samplerNoise', () => {
  it('is the noise a sampler draws from its seed: handed over, it gives the same samples', () => {
    const drawn = heunSampler(gaussian, { seed: 11, shape: [6, 2], steps: 4 }).samples;
    const noise = samplerNoise(11, [6, 2]);
    const handed = heunSampler(gaussian, { noise, steps: 4 }).samples;
    expect(Array.from(handed.dataSync())).toEqual(Array.from(drawn.dataSync()));
    const other = samplerNoise(12, [6, 2]);
    expect(Array.from(other.dataSync())).not.toEqual(Array.from(noise.dataSync()));
    tf.dispose([drawn, noise, handed, other]);
  });

  it('names the bad argument', () => {
    expect(() => samplerNoise(1.5, [2])).toThrow('samplerNoise: seed');
    expect(() => samplerNoise(1, [])).toThrow('samplerNoise: shape must be a non-empty array');
    expect(() => samplerNoise(1, [3, -1])).toThrow(
      'samplerNoise: shape[1] must be an integer >= 1',
    );
  });
});
