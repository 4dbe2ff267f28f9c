import '@tensorflow/tfjs';
import { moments } from '@fdistill/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  denoisingScoreMatchingDraws,
  denoisingScoreMatchingLoss,
  denoisingScoreMatchingWeight,
  sampleLogNormalSigmas,
} from './denoising-score-matching.js';
import { edmCoefficients } from './edm-preconditioning.js';
import { GaussianMixture } from './gaussian-mixture.js';
import { ringMixture } from './mixture-presets.js';
import { MlpDenoiser } from './mlp-denoiser.js';

describe('denoisingScoreMatchingWeight', () => {
  it('is (sigma^2 + sd^2) / (sigma sd)^2 = 1 / c_out^2, on numbers and tensors', () => {
    const sigmas = [0.002, 0.3, 1, 80];
    for (const sigma of sigmas) {
      expect(denoisingScoreMatchingWeight(sigma)).toBeCloseTo(
        (sigma ** 2 + 0.25) / (sigma ** 2 * 0.25),
        6,
      );
      expect(denoisingScoreMatchingWeight(sigma, 2)).toBeCloseTo(
        (sigma ** 2 + 4) / (sigma ** 2 * 4),
        6,
      );
    }
    const tensor = tf.tensor1d(sigmas);
    const weight = denoisingScoreMatchingWeight(tensor);
    const { out, skip, input, noise } = edmCoefficients(tensor);
    const product = tf.mul(weight, tf.square(out));
    for (const value of product.dataSync()) expect(value).toBeCloseTo(1, 5);
    tf.dispose([tensor, weight, out, skip, input, noise, product]);
    expect(() => denoisingScoreMatchingWeight(0)).toThrow('sigma must be a finite number > 0');
  });
});

describe('sampleLogNormalSigmas', () => {
  it('draws ln sigma ~ N(-1.2, 1.2^2), seeded', () => {
    const sigma = sampleLogNormalSigmas(20000, 3);
    const again = sampleLogNormalSigmas(20000, 3);
    expect(Array.from(again.dataSync())).toEqual(Array.from(sigma.dataSync()));
    const { mean, std } = moments(Array.from(sigma.dataSync(), Math.log));
    // Standard errors: 1.2 / sqrt(n) = 0.0085 for the mean, 1.2 / sqrt(2 n) = 0.006 for the std.
    expect(Math.abs(mean + 1.2)).toBeLessThan(0.034);
    expect(Math.abs(std - 1.2)).toBeLessThan(0.024);
    tf.dispose([sigma, again]);
  });
});

describe('denoisingScoreMatchingLoss', () => {
  it('is the per-element mean of lambda (D(x0 + sigma n; sigma) - x0)^2 (hand-computed case)', () => {
    const gaussian = new GaussianMixture({ means: [[0.5, -1]], stds: 0.4 });
    const x0 = tf.tensor2d([
      [1, 2],
      [0, -1],
    ]);
    const noise = tf.tensor2d([
      [1, -1],
      [0.5, 2],
    ]);
    const sigmas = [0.5, 3];
    const loss = denoisingScoreMatchingLoss(gaussian, x0, { sigma: tf.tensor1d(sigmas), noise });
    const perSample = denoisingScoreMatchingLoss(gaussian, x0, {
      sigma: tf.tensor1d(sigmas),
      noise,
      reduction: 'per-sample',
    });
    const data = [
      [1, 2],
      [0, -1],
    ];
    const n = [
      [1, -1],
      [0.5, 2],
    ];
    const mean = [0.5, -1];
    const expected = sigmas.map((sigma, i) => {
      const shrink = 0.16 / (0.16 + sigma * sigma);
      const lambda = (sigma * sigma + 0.25) / (sigma * sigma * 0.25);
      let total = 0;
      for (let j = 0; j < 2; j++) {
        const x = (data[i]?.[j] as number) + sigma * (n[i]?.[j] as number);
        const denoised = (mean[j] as number) + shrink * (x - (mean[j] as number));
        total += lambda * (denoised - (data[i]?.[j] as number)) ** 2;
      }
      return total / 2;
    });
    expect(perSample.shape).toEqual([2]);
    expect(perSample.dataSync()[0]).toBeCloseTo(expected[0] as number, 4);
    expect(perSample.dataSync()[1]).toBeCloseTo(expected[1] as number, 4);
    expect(loss.dataSync()[0]).toBeCloseTo(
      ((expected[0] as number) + (expected[1] as number)) / 2,
      4,
    );
    tf.dispose([x0, noise, loss, perSample]);
  });

  it('reaches its irreducible value 1 with the exact denoiser of N(mu, sd^2 I)', () => {
    // For data N(mu, sd^2 I) the posterior error D - x0 is N(0, sd^2 sigma^2 / (sd^2 + sigma^2))
    // per element, and lambda is the inverse of that variance: every weighted squared error is
    // chi-square(1), mean 1 and variance 2, whatever sigma is. With n d = 40000 independent
    // elements the mean has standard error sqrt(2 / 40000) = 0.0071; bound 4 standard errors.
    const gaussian = new GaussianMixture({ means: [[0.3, -0.2]], stds: 0.5 });
    const x0 = gaussian.sample(20000, 1);
    const loss = denoisingScoreMatchingLoss(gaussian, x0, { seed: 2 }).dataSync()[0] as number;
    expect(Math.abs(loss - 1)).toBeLessThan(4 * Math.sqrt(2 / 40000));
    x0.dispose();
  });

  it('is lower for the exact mixture denoiser than for perturbed ones (same draws)', () => {
    const ring = ringMixture({ modes: 8, radius: 1, std: 0.05, weights: [4, 1, 2, 1, 3, 1, 2, 2] });
    const x0 = ring.sample(4096, 5);
    const exact = denoisingScoreMatchingLoss(ring, x0, { seed: 6 }).dataSync()[0] as number;
    const perturbed = [
      ringMixture({ modes: 8, radius: 1.05, std: 0.05, weights: [4, 1, 2, 1, 3, 1, 2, 2] }),
      ringMixture({ modes: 8, radius: 1, std: 0.1, weights: [4, 1, 2, 1, 3, 1, 2, 2] }),
      ringMixture({ modes: 8, radius: 1, std: 0.05 }),
    ].map((model) => denoisingScoreMatchingLoss(model, x0, { seed: 6 }).dataSync()[0] as number);
    for (const value of perturbed) expect(value).toBeGreaterThan(exact);
    x0.dispose();
  });

  it('drops labels to the null label with probability labelDropout', () => {
    const ring = ringMixture({ modes: 4 });
    const x0 = ring.sample(64, 1);
    const labels = ring.nearestComponent(x0);
    const nullLabels = tf.fill([64], 4, 'int32');
    const dropped = denoisingScoreMatchingLoss(ring, x0, { seed: 3, labels, labelDropout: 1 });
    const unconditional = denoisingScoreMatchingLoss(ring, x0, { seed: 3, labels: nullLabels });
    const conditional = denoisingScoreMatchingLoss(ring, x0, { seed: 3, labels });
    expect(dropped.dataSync()[0]).toBeCloseTo(unconditional.dataSync()[0] as number, 6);
    // Knowing the component helps: the conditional loss is lower.
    expect(conditional.dataSync()[0] as number).toBeLessThan(unconditional.dataSync()[0] as number);
    tf.dispose([x0, labels, nullLabels, dropped, unconditional, conditional]);
  });

  it('validates its options, naming them', () => {
    const ring = ringMixture({ modes: 4 });
    const x0 = tf.zeros([4, 2]);
    expect(() => denoisingScoreMatchingLoss(ring, x0)).toThrow('options.seed is required');
    expect(() => denoisingScoreMatchingLoss(ring, x0, { seed: 1, pStd: 0 })).toThrow(
      'options.pStd must be a finite number > 0',
    );
    expect(() =>
      denoisingScoreMatchingLoss(ring, x0, { seed: 1, noise: tf.zeros([4, 3]) }),
    ).toThrow('options.noise must have the shape of x0 [4,2]');
    expect(() => denoisingScoreMatchingLoss(ring, x0, { seed: 1, labelDropout: 0.5 })).toThrow(
      'options.labelDropout needs options.labels',
    );
    expect(() => denoisingScoreMatchingLoss(ring, tf.zeros([4]), { seed: 1 })).toThrow(
      'x0 must be a tensor of shape [batch, ...]',
    );
    x0.dispose();
  });
});

describe('denoisingScoreMatchingDraws', () => {
  it("are the loss's own draws: the size-weighted losses of two slices equal the batch's", () => {
    const network = new MlpDenoiser({ dimension: 3, width: 16, depth: 2, classCount: 4, seed: 2 });
    const x0 = tf.randomNormal([10, 3], 0, 1, 'float32', 5);
    const labels = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1], 'int32');
    const options = { seed: 9, labels, labelDropout: 0.5 };
    const whole = denoisingScoreMatchingLoss(network, x0, options);
    const draws = denoisingScoreMatchingDraws(network, x0, options);
    // Dropout did act on these draws: some labels became the null label 4.
    expect(Array.from(draws.labels?.dataSync() ?? [])).toContain(4);
    const slice = (start: number, size: number) =>
      denoisingScoreMatchingLoss(network, x0.slice(start, size), {
        sigma: draws.sigma.slice(start, size),
        noise: draws.noise.slice(start, size),
        labels: draws.labels?.slice(start, size),
      });
    const [first, second] = [slice(0, 6), slice(6, 4)];
    const combined =
      ((first.dataSync()[0] as number) * 6 + (second.dataSync()[0] as number) * 4) / 10;
    expect(combined).toBeCloseTo(whole.dataSync()[0] as number, 5);
    tf.dispose([x0, labels, whole, first, second, draws.sigma, draws.noise, draws.labels ?? []]);
    network.dispose();
  });

  it('names bad options as the loss does, before drawing', () => {
    const network = new MlpDenoiser({ dimension: 2, seed: 1 });
    const x0 = tf.zeros([4, 2]);
    expect(() => denoisingScoreMatchingDraws(network, x0)).toThrow(
      'denoisingScoreMatchingDraws: options.seed is required',
    );
    expect(() => denoisingScoreMatchingDraws(network, x0, { seed: 1, pStd: 0 })).toThrow(
      'denoisingScoreMatchingDraws: options.pStd',
    );
    expect(() =>
      denoisingScoreMatchingDraws(network, x0, { seed: 1, noise: tf.zeros([4, 3]) }),
    ).toThrow('denoisingScoreMatchingDraws: options.noise must have the shape of x0 [4,2]');
    x0.dispose();
    network.dispose();
  });
});
