import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InputFourierFeatures } from './layers/input-fourier-features.js';
import { NoiseEmbedding } from './layers/noise-embedding.js';
import { MlpDenoiser, resolveMlpDenoiserConfig } from './mlp-denoiser.js';

const CONDITIONAL = {
  dimension: 3,
  width: 16,
  depth: 3,
  embedding: 'fourier',
  embeddingSize: 8,
  classCount: 4,
  seed: 5,
} as const;

describe('MlpDenoiser', () => {
  it('has the hand-computed parameters, in order', () => {
    const network = new MlpDenoiser(CONDITIONAL);
    const { dimension: d, width: w, embeddingSize: e, classCount: c } = CONDITIONAL;
    // noise map: e w + w, w w + w; class table (c + 1) e; input d w + w;
    // depth - 1 = 2 hidden layers w w + w; output w d + d.
    const expected =
      e * w + w + (w * w + w) + (c + 1) * e + (d * w + w) + 2 * (w * w + w) + (w * d + d);
    expect(expected).toBe(1115);
    expect(network.parameterCount()).toBe(1115);
    expect(
      network.namedParameters().map(([name, variable]) => `${name} [${variable.shape}]`),
    ).toEqual([
      'noiseLayer0.weight [8,16]',
      'noiseLayer0.bias [16]',
      'noiseLayer1.weight [16,16]',
      'noiseLayer1.bias [16]',
      'classEmbedding.weight [5,8]',
      'inputLayer.weight [3,16]',
      'inputLayer.bias [16]',
      'hiddenLayers.0.weight [16,16]',
      'hiddenLayers.0.bias [16]',
      'hiddenLayers.1.weight [16,16]',
      'hiddenLayers.1.bias [16]',
      'outputLayer.weight [16,3]',
      'outputLayer.bias [3]',
    ]);
    // The Fourier frequencies are a buffer: saved with the state, not a parameter.
    expect(network.namedBuffers().map(([name, variable]) => `${name} [${variable.shape}]`)).toEqual(
      ['noiseEmbedding.frequencies [4]'],
    );
    const unconditional = new MlpDenoiser({ dimension: 2, width: 8, depth: 1, embeddingSize: 4 });
    expect(unconditional.parameterCount()).toBe(
      4 * 8 + 8 + (8 * 8 + 8) + (2 * 8 + 8) + (8 * 2 + 2),
    );
    network.dispose();
    unconditional.dispose();
  });

  it('maps [batch, dimension] to [batch, dimension] and taps hidden.<i> [batch, width], without leaks', () => {
    for (const embedding of ['fourier', 'positional'] as const) {
      const network = new MlpDenoiser({ ...CONDITIONAL, embedding });
      const x = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
      const labels = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
      const before = tf.memory().numTensors;
      const { denoised, features } = network.denoiseWithFeatures(x, 0.7, labels);
      expect(denoised.shape).toEqual([5, 3]);
      expect(network.featureNames).toEqual(['hidden.0', 'hidden.1', 'hidden.2']);
      expect(Object.keys(features)).toEqual(['hidden.0', 'hidden.1', 'hidden.2']);
      for (const name of network.featureNames) expect(features[name]?.shape).toEqual([5, 16]);
      tf.dispose([denoised, ...Object.values(features)]);
      const score = network.score(x, tf.tensor1d([0.002, 0.1, 1, 10, 80]));
      expect(score.shape).toEqual([5, 3]);
      expect(Array.from(score.dataSync()).every(Number.isFinite)).toBe(true);
      score.dispose();
      // The per-sample sigma tensor above is the only new tensor.
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([x, labels]);
      network.dispose();
    }
  });

  it('sends a nonzero gradient to every parameter', () => {
    const network = new MlpDenoiser(CONDITIONAL);
    const x = tf.randomNormal([8, 3], 0, 1, 'float32', 2);
    const sigma = tf.tensor1d([0.01, 0.05, 0.2, 0.5, 1, 3, 10, 60]);
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32');
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(network.denoise(x, sigma, labels))) as tf.Scalar,
    );
    for (const [name, variable] of network.namedParameters()) {
      const gradient = grads[variable.name];
      expect(gradient, name).toBeDefined();
      const norm = tf.norm(gradient as tf.Tensor).dataSync()[0] as number;
      expect(norm, name).toBeGreaterThan(0);
      expect(Number.isFinite(norm), name).toBe(true);
    }
    tf.dispose([x, sigma, labels, value, ...Object.values(grads)]);
    network.dispose();
  });

  it('gives its config back, and the config rebuilds the same network', () => {
    const network = new MlpDenoiser({ dimension: 2, width: 8, depth: 2, seed: 9 });
    expect(network.config).toEqual({
      dimension: 2,
      width: 8,
      depth: 2,
      embedding: 'fourier',
      embeddingSize: 32,
      fourierScale: 16,
      inputFeatures: 0,
      inputFeatureScale: 1,
      sigmaData: 0.5,
      seed: 9,
    });
    expect(Object.isFrozen(network.config)).toBe(true);
    const twin = new MlpDenoiser(JSON.parse(JSON.stringify(network.config)));
    const other = new MlpDenoiser({ ...network.config, seed: 10 });
    const x = tf.randomNormal([4, 2], 0, 1, 'float32', 3);
    const [a, b, c] = [network, twin, other].map((model) => model.denoise(x, 0.4));
    expect(Array.from((b as tf.Tensor).dataSync())).toEqual(
      Array.from((a as tf.Tensor).dataSync()),
    );
    expect(Array.from((c as tf.Tensor).dataSync())).not.toEqual(
      Array.from((a as tf.Tensor).dataSync()),
    );
    tf.dispose([x, a as tf.Tensor, b as tf.Tensor, c as tf.Tensor]);
    for (const model of [network, twin, other]) model.dispose();
  });

  it('treats missing labels as the null label', () => {
    const network = new MlpDenoiser(CONDITIONAL);
    const x = tf.randomNormal([3, 3], 0, 1, 'float32', 4);
    const nullLabel = tf.fill([3], 4, 'int32');
    const implicit = network.denoise(x, 1);
    const explicit = network.denoise(x, 1, nullLabel);
    expect(Array.from(implicit.dataSync())).toEqual(Array.from(explicit.dataSync()));
    tf.dispose([x, nullLabel, implicit, explicit]);
    network.dispose();
  });

  it('validates its config and inputs up front, naming them', () => {
    expect(() => resolveMlpDenoiserConfig({ dimension: 0 })).toThrow(
      'config.dimension must be an integer >= 1, got 0',
    );
    expect(() => resolveMlpDenoiserConfig({ dimension: 2, widht: 3 } as never)).toThrow(
      'unknown config key "widht"',
    );
    expect(() => resolveMlpDenoiserConfig({ dimension: 2, embeddingSize: 7 })).toThrow(
      'config.embeddingSize must be even, got 7',
    );
    expect(() =>
      resolveMlpDenoiserConfig({ dimension: 2, embedding: 'sinusoid' as never }),
    ).toThrow("config.embedding must be 'fourier' or 'positional'");
    expect(() => resolveMlpDenoiserConfig({ dimension: 2, depth: 0 })).toThrow(
      'config.depth must be an integer >= 1',
    );
    expect(() => resolveMlpDenoiserConfig({ dimension: 2, classCount: 0 })).toThrow(
      'config.classCount must be an integer >= 1',
    );
    expect(() => resolveMlpDenoiserConfig({ dimension: 2, inputFeatures: 3 })).toThrow(
      'config.inputFeatures must be even, got 3',
    );
    expect(() => resolveMlpDenoiserConfig({ dimension: 2, inputFeatureScale: 0 })).toThrow(
      'config.inputFeatureScale must be a finite number > 0, got 0',
    );
    expect(() => resolveMlpDenoiserConfig({ dimension: 2, seed: 0.5 })).toThrow(
      'config.seed must be an integer seed',
    );
    const network = new MlpDenoiser({ dimension: 2, width: 4, depth: 1 });
    const x = tf.zeros([2, 3]);
    expect(() => network.denoise(x, 1)).toThrow('x must have shape [batch, 2], got [2,3]');
    const y = tf.zeros([2, 2]);
    const labels = tf.tensor1d([0, 1], 'int32');
    expect(() => network.denoise(y, 1, labels)).toThrow('this denoiser is unconditional');
    tf.dispose([x, y, labels]);
    network.dispose();
  });
});

describe('MlpDenoiser with input Fourier features', () => {
  it('feeds [c_in x, cos(c_in x B), sin(c_in x B)] to the input layer, B a saved buffer', () => {
    const network = new MlpDenoiser({
      dimension: 2,
      width: 8,
      depth: 1,
      inputFeatures: 6,
      seed: 2,
    });
    expect(
      network.namedParameters().find(([name]) => name === 'inputLayer.weight')?.[1].shape,
    ).toEqual([8, 8]);
    expect(network.namedBuffers().map(([name, variable]) => `${name} [${variable.shape}]`)).toEqual(
      ['noiseEmbedding.frequencies [16]', 'inputFourierFeatures.frequencies [2,3]'],
    );
    // The saved network rebuilds the same function (frequencies included).
    const twin = MlpDenoiser.fromSafetensors(network.toSafetensors());
    const x = tf.randomNormal([4, 2], 0, 1, 'float32', 3);
    const [a, b] = [network, twin].map((model) => model.denoise(x, 0.7));
    expect(Array.from((b as tf.Tensor).dataSync())).toEqual(
      Array.from((a as tf.Tensor).dataSync()),
    );
    tf.dispose([x, a as tf.Tensor, b as tf.Tensor]);
    network.dispose();
    twin.dispose();
  });
});

describe('InputFourierFeatures', () => {
  it('is [x, cos(x B), sin(x B)] with B ~ 2 pi N(0, scale^2), drawn from the seed', () => {
    const features = new InputFourierFeatures({ dimension: 2, count: 4000, scale: 3, seed: 4 });
    const [[, frequencies]] = features.namedBuffers() as [[string, tf.Variable]];
    const b = frequencies.arraySync() as number[][];
    const draws = b.flat().map((value) => value / (2 * Math.PI));
    // 4000 draws: the std's relative standard error is 1 / sqrt(8000).
    const std = Math.sqrt(draws.reduce((sum, value) => sum + value * value, 0) / draws.length);
    expect(Math.abs(std / 3 - 1)).toBeLessThan(4 / Math.sqrt(8000));
    const x = tf.tensor2d([[0.3, -1.1]]);
    const output = features.forward(x);
    expect(output.shape).toEqual([1, 4002]);
    const row = (output.arraySync() as number[][])[0] as number[];
    expect(row.slice(0, 2)).toEqual([0.3, -1.1].map(Math.fround));
    for (const j of [0, 17, 1999]) {
      const angle = 0.3 * (b[0]?.[j] as number) - 1.1 * (b[1]?.[j] as number);
      expect(row[2 + j]).toBeCloseTo(Math.cos(angle), 4);
      expect(row[2 + 2000 + j]).toBeCloseTo(Math.sin(angle), 4);
    }
    tf.dispose([x, output]);
    features.dispose();
    expect(() => new InputFourierFeatures({ dimension: 2, count: 3, scale: 1, seed: 0 })).toThrow(
      'options.count must be even, got 3',
    );
  });
});

describe('NoiseEmbedding', () => {
  it('is [cos, sin] of the noise condition times fixed frequencies', () => {
    const condition = tf.tensor1d([-1.2, 0.3]);
    const positional = new NoiseEmbedding({ kind: 'positional', size: 6, seed: 0 });
    for (const [j, frequency] of positional.frequencies.entries()) {
      expect(frequency).toBeCloseTo(10000 ** (-j / 3), 12);
    }
    const fourier = new NoiseEmbedding({ kind: 'fourier', size: 6, seed: 3, fourierScale: 2 });
    const twin = new NoiseEmbedding({ kind: 'fourier', size: 6, seed: 3, fourierScale: 2 });
    expect(twin.frequencies).toEqual(fourier.frequencies);
    twin.dispose();
    // f ~ N(0, scale^2): with 1000 draws the std has relative standard error 1 / sqrt(2000).
    const wide = new NoiseEmbedding({ kind: 'fourier', size: 2000, seed: 4, fourierScale: 16 });
    const draws = wide.frequencies.map((value) => value / (2 * Math.PI));
    const std = Math.sqrt(draws.reduce((sum, value) => sum + value * value, 0) / draws.length);
    expect(Math.abs(std / 16 - 1)).toBeLessThan(4 / Math.sqrt(2000));
    wide.dispose();
    for (const embedding of [positional, fourier]) {
      const output = embedding.forward(condition);
      const rows = output.arraySync();
      output.dispose();
      for (const [i, c] of [-1.2, 0.3].entries()) {
        for (const [j, frequency] of embedding.frequencies.entries()) {
          expect(rows[i]?.[j]).toBeCloseTo(Math.cos(frequency * c), 5);
          expect(rows[i]?.[j + 3]).toBeCloseTo(Math.sin(frequency * c), 5);
        }
      }
    }
    condition.dispose();
    fourier.dispose();
    expect(() => new NoiseEmbedding({ kind: 'fourier', size: 5, seed: 0 })).toThrow(
      'options.size must be even',
    );
  });
});
