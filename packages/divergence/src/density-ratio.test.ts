import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { densityRatioFromLogits } from './density-ratio.js';
import { normalizeWeights } from './normalize-weights.js';
import { type RatioBinSpacing, RatioNormalizer } from './ratio-normalizer.js';
import { stopGradient } from './stop-gradient.js';

describe('densityRatioFromLogits', () => {
  it('clamps the logit to +-10, exponentiates and clips to [0.1, 20]', () => {
    expect(densityRatioFromLogits([0, 1, -1, -3, 2.9, 50])).toEqual([
      1,
      Math.E,
      Math.exp(-1),
      0.1,
      Math.exp(2.9),
      20,
    ]);
    // A wide clip shows the logit clamp at 10.
    expect(densityRatioFromLogits(40, { ratioMin: 1e-9, ratioMax: 1e9 })).toBe(Math.exp(10));
  });

  it('gives the same values on a tensor, with no gradient attached', () => {
    const logits = tf.tensor1d([0, 1, -1, -3, 2.9, 50]);
    const ratio = densityRatioFromLogits(logits);
    const expected = densityRatioFromLogits([0, 1, -1, -3, 2.9, 50]);
    Array.from(ratio.dataSync()).forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    });
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, densityRatioFromLogits(x))))(
      logits,
    );
    // d/dx [x * r(x)] with r detached is r(x).
    Array.from(gradient.dataSync()).forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    });
    tf.dispose([logits, ratio, gradient]);
  });

  it('rejects bad options and NaN logits, naming them', () => {
    expect(() => densityRatioFromLogits(0, { ratioMin: 0 })).toThrow(
      'options.ratioMin must be a finite number > 0',
    );
    expect(() => densityRatioFromLogits(0, { ratioMin: 2, ratioMax: 1 })).toThrow(
      'options.ratioMax must be > options.ratioMin (2), got 1',
    );
    expect(() => densityRatioFromLogits([Number.NaN])).toThrow('a logit is NaN');
    expect(() => densityRatioFromLogits('1' as never)).toThrow('logits must be a number');
  });
});

describe('stopGradient', () => {
  it('passes values and blocks gradients', () => {
    const x = tf.tensor1d([3, -2]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(input, stopGradient(input))))(x);
    expect(Array.from(gradient.dataSync())).toEqual([3, -2]);
    tf.dispose([x, gradient]);
  });
});

describe('normalizeWeights', () => {
  it('divides by the batch mean plus 1e-6, on numbers and tensors', () => {
    expect(normalizeWeights([1, 3])).toEqual([1 / (2 + 1e-6), 3 / (2 + 1e-6)]);
    const weights = tf.tensor1d([0.5, 1.5, 4]);
    const normalized = normalizeWeights(weights);
    const values = normalized.dataSync();
    expect(values[2]).toBeCloseTo(4 / 2, 5);
    expect((values[0] as number) + (values[1] as number) + (values[2] as number)).toBeCloseTo(3, 5);
    tf.dispose([weights, normalized]);
    expect(() => normalizeWeights([])).toThrow('weights must not be empty');
    expect(() => normalizeWeights([1, -1])).toThrow('finite number >= 0');
  });
});

describe('RatioNormalizer', () => {
  it('bins sigma linearly over [0.002, 80], clamping the ends', () => {
    const normalizer = new RatioNormalizer();
    const index = normalizer.binIndex(tf.tensor1d([0, 0.002, 7.99, 8.01, 79.99, 80, 500]));
    expect(Array.from(index.dataSync())).toEqual([0, 0, 0, 1, 9, 9, 9]);
    normalizer.dispose();
  });

  it('bins sigma in ln sigma with binSpacing log: edges 0.002 * 40000^(k / 10)', () => {
    const normalizer = new RatioNormalizer({ binSpacing: 'log' });
    const edge = (k: number) => 0.002 * 40000 ** (k / 10);
    // 1% either side of every inner edge, the ends, and sigmas outside [0.002, 80] (0 included).
    const sigmas = [
      0,
      0.001,
      0.002,
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((k) => [edge(k) * 0.99, edge(k) * 1.01]),
      79,
      500,
    ];
    const expected = [0, 0, 0, ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((k) => [k - 1, k]), 9, 9];
    const index = normalizer.binIndex(tf.tensor1d(sigmas));
    expect(Array.from(index.dataSync())).toEqual(expected);
    normalizer.dispose();
  });

  it('divides each ratio by its bin mean, updating only bins with samples (rate 0)', async () => {
    const normalizer = new RatioNormalizer({ binCount: 4, sigmaMin: 0, sigmaMax: 4 });
    const ratio = tf.tensor1d([1, 3, 8, 2]);
    const sigma = tf.tensor1d([0.5, 0.7, 2.5, 3.9]);
    const normalized = normalizer.normalize(ratio, sigma);
    // bin 0: mean 2; bin 2: mean 8; bin 3: mean 2; bin 1 untouched at 1.
    const expected = [1 / 2, 3 / 2, 1, 1];
    Array.from(normalized.dataSync()).forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    });
    const { binMeans } = await normalizer.getState();
    for (const [i, mean] of [2, 1, 8, 2].entries()) expect(binMeans[i]).toBeCloseTo(mean, 4);
    tf.dispose([ratio, sigma, normalized]);
    normalizer.dispose();
  });

  it('blends bin means by EMA and restores them from a saved state', async () => {
    const normalizer = new RatioNormalizer({ binCount: 2, sigmaMin: 0, sigmaMax: 2, emaRate: 0.5 });
    const sigma = tf.tensor1d([0.5, 0.5]);
    for (const values of [
      [2, 4],
      [5, 5],
    ]) {
      const ratio = tf.tensor1d(values);
      tf.dispose([ratio, normalizer.normalize(ratio, sigma)]);
    }
    // 1 -> 0.5 * 1 + 0.5 * 3 = 2 -> 0.5 * 2 + 0.5 * 5 = 3.5; bin 1 never seen.
    const state = await normalizer.getState();
    expect(state.binMeans[0]).toBeCloseTo(3.5, 5);
    expect(state.binMeans[1]).toBe(1);

    const restored = new RatioNormalizer({ binCount: 2, sigmaMin: 0, sigmaMax: 2, emaRate: 0.5 });
    restored.setState(state);
    const ratio = tf.tensor1d([7, 7]);
    const fromOriginal = normalizer.normalize(ratio, sigma);
    const fromRestored = restored.normalize(ratio, sigma);
    expect(Array.from(fromRestored.dataSync())).toEqual(Array.from(fromOriginal.dataSync()));
    expect(() => restored.setState({ ...state, binCount: 3 })).toThrow(
      'state.binCount is 3, this normalizer has 2',
    );
    expect(() => restored.setState({ ...state, binMeans: [1] })).toThrow(
      'state.binMeans must be 2 numbers',
    );
    // A state saved before binSpacing existed is linear.
    const { binSpacing, ...withoutSpacing } = state;
    expect(binSpacing).toBe('linear');
    expect(() => restored.setState(withoutSpacing)).not.toThrow();
    const logBins = new RatioNormalizer({
      binCount: 2,
      sigmaMin: 0.5,
      sigmaMax: 2,
      binSpacing: 'log',
    });
    expect(() => logBins.setState({ ...withoutSpacing, sigmaMin: 0.5 })).toThrow(
      'state.binSpacing is "linear", this normalizer has log',
    );
    logBins.dispose();
    tf.dispose([sigma, ratio, fromOriginal, fromRestored]);
    normalizer.dispose();
    restored.dispose();
  });

  it('keeps its bin means alive when used inside tf.tidy', async () => {
    const normalizer = new RatioNormalizer({ binCount: 1, sigmaMin: 0, sigmaMax: 1 });
    tf.tidy(() => normalizer.normalize(tf.tensor1d([4]), tf.tensor1d([0.5])));
    expect((await normalizer.getState()).binMeans[0]).toBeCloseTo(4, 4);
    normalizer.dispose();
  });

  it('holds no extra tensors over many updates', () => {
    const normalizer = new RatioNormalizer({ emaRate: 0.9 });
    const ratio = tf.randomUniform([64], 0.1, 20);
    const sigma = tf.randomUniform([64], 0.002, 80);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 200; step++) normalizer.normalize(ratio, sigma).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ratio, sigma]);
    normalizer.dispose();
  });

  it('rejects bad options and mismatched inputs', () => {
    expect(() => new RatioNormalizer({ binCount: 0 })).toThrow(
      'options.binCount must be an integer >= 1, got 0',
    );
    expect(
      () => new RatioNormalizer({ binSpacing: 'cubic' as unknown as RatioBinSpacing }),
    ).toThrow(`options.binSpacing must be 'linear' or 'log', got "cubic"`);
    expect(() => new RatioNormalizer({ binSpacing: 'log', sigmaMin: 0 })).toThrow(
      "options.sigmaMin must be > 0 with binSpacing 'log', got 0",
    );
    expect(() => new RatioNormalizer({ emaRate: 1 })).toThrow(
      'options.emaRate must be in [0, 1), got 1',
    );
    const normalizer = new RatioNormalizer();
    const ratio = tf.tensor1d([1, 2]);
    expect(() => normalizer.normalize(ratio, tf.tensor1d([1]))).toThrow(
      'got 2 ratios and 1 sigmas',
    );
    normalizer.dispose();
  });
});
