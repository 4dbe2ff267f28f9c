import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { EdmNetwork, type RawNetworkOutput } from './edm-network.js';
import {
  edmCoefficients,
  multiplyPerSample,
  repeatPerSample,
  sigmaPerSample,
} from './edm-preconditioning.js';

const SIGMAS = [0.002, 0.1, 0.5, 1, 80];

describe('edmCoefficients', () => {
  for (const sigmaData of [0.5, 1.3]) {
    it(`equals the closed forms at sigma ${SIGMAS} (sigma_data ${sigmaData})`, () => {
      const sigma = tf.tensor1d(SIGMAS);
      const { skip, out, input, noise } = edmCoefficients(sigma, sigmaData);
      const got = [skip, out, input, noise].map((tensor) => Array.from(tensor.dataSync()));
      for (const [i, s] of SIGMAS.entries()) {
        const total = s * s + sigmaData * sigmaData;
        const expected = [
          (sigmaData * sigmaData) / total,
          (s * sigmaData) / Math.sqrt(total),
          1 / Math.sqrt(total),
          Math.log(s) / 4,
        ];
        for (const [k, value] of expected.entries()) {
          // float32: relative 1e-6.
          expect(Math.abs((got[k]?.[i] as number) - value)).toBeLessThan(
            1e-6 * (1 + Math.abs(value)),
          );
        }
      }
      tf.dispose([sigma, skip, out, input, noise]);
    });
  }
});

describe('sigmaPerSample', () => {
  it('broadcasts numbers, flattens per-sample tensors and rejects the rest', () => {
    const fromNumber = sigmaPerSample(2.5, 3);
    expect(Array.from(fromNumber.dataSync())).toEqual([2.5, 2.5, 2.5]);
    const column = tf.tensor2d([[1], [2]]);
    const fromTensor = sigmaPerSample(column, 2);
    expect(fromTensor.shape).toEqual([2]);
    expect(() => sigmaPerSample(0, 2)).toThrow('sigma must be a finite number > 0, got 0');
    expect(() => sigmaPerSample(column, 3)).toThrow('one value per sample (3), got shape [2,1]');
    tf.dispose([fromNumber, column, fromTensor]);
  });
});

describe('multiplyPerSample', () => {
  it('scales each sample by its value, exactly as broadcasting does, with gradients', () => {
    const x = tf.randomNormal([3, 2, 2], 0, 1, 'float32', 1);
    const values = tf.tensor1d([0.5, -3, 1e-3]);
    const product = multiplyPerSample(x, values);
    const broadcast = tf.mul(x, tf.reshape(values, [3, 1, 1]));
    expect(Array.from(product.dataSync())).toEqual(Array.from(broadcast.dataSync()));
    const gradient = tf.grad((v: tf.Tensor) => tf.sum(multiplyPerSample(x, v)))(values);
    const expected = tf.sum(tf.reshape(x, [3, 4]), 1);
    const gradientValues = gradient.dataSync();
    for (const [i, value] of expected.dataSync().entries()) {
      expect(gradientValues[i]).toBeCloseTo(value, 5);
    }
    expect(() => repeatPerSample(values, [4, 2])).toThrow(
      'one value per sample (4), got shape [3]',
    );
    tf.dispose([x, values, product, broadcast, gradient, expected]);
  });
});

/** F(u; c) = 2 u + c: simple enough to check D by hand. */
class Affine extends EdmNetwork {
  readonly featureNames = ['scaled'];
  protected forwardRaw(scaledInput: tf.Tensor, noiseCondition: tf.Tensor1D): RawNetworkOutput {
    return tf.tidy(() => ({
      output: tf.add(tf.mul(scaledInput, 2), tf.reshape(noiseCondition, [-1, 1])),
      features: { scaled: tf.clone(scaledInput) },
    }));
  }
}

describe('EdmNetwork', () => {
  it('computes D = c_skip x + c_out F(c_in x; c_noise) and score = (D - x) / sigma^2', () => {
    const network = new Affine(0.5);
    const x = tf.tensor2d([
      [1, -2],
      [0.5, 3],
    ]);
    const sigmas = [0.3, 7];
    const sigma = tf.tensor1d(sigmas);
    const { denoised, features } = network.denoiseWithFeatures(x, sigma);
    const score = network.score(x, sigma);
    const rows = x.arraySync();
    const denoisedRows = denoised.arraySync() as number[][];
    const scoreRows = score.arraySync() as number[][];
    const scaledRows = features.scaled?.arraySync() as number[][];
    for (const [i, row] of rows.entries()) {
      const s = sigmas[i] as number;
      const total = s * s + 0.25;
      for (const [j, value] of row.entries()) {
        const raw = (2 * value) / Math.sqrt(total) + Math.log(s) / 4;
        const expected = (0.25 / total) * value + ((s * 0.5) / Math.sqrt(total)) * raw;
        expect(denoisedRows[i]?.[j]).toBeCloseTo(expected, 5);
        expect(scoreRows[i]?.[j]).toBeCloseTo((expected - value) / (s * s), 3);
        expect(scaledRows[i]?.[j]).toBeCloseTo(value / Math.sqrt(total), 6);
      }
    }
    tf.dispose([x, sigma, denoised, score, ...Object.values(features)]);
    expect(() => new Affine(0)).toThrow('sigmaData must be a finite number > 0, got 0');
  });
});
