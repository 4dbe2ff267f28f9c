import '@tensorflow/tfjs';
import { directionalDerivatives } from '@fdistill/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { RawNetworkOutput } from '../edm-network.js';
import { edmCoefficients } from '../edm-preconditioning.js';
import { encodeSafetensors } from '../safetensors.js';
import type { UNetConfig } from './unet-config.js';
import { UNetDenoiser } from './unet-denoiser.js';

// Tiny on purpose: tfjs's cpu convolutions (and their filter gradients) are slow.
const CONFIG: UNetConfig = {
  imageSize: 8,
  channels: 2,
  baseChannels: 8,
  channelMultipliers: [1, 2],
  blocksPerResolution: 1,
  attentionResolutions: [4],
  groupNormGroups: 4,
  classCount: 2,
  embeddingSize: 16,
  seed: 7,
};

/** Exposes the raw network F to check the EDM wrapper around it. */
class ExposedUNet extends UNetDenoiser {
  raw(scaledInput: tf.Tensor, noiseCondition: tf.Tensor1D, labels?: tf.Tensor): RawNetworkOutput {
    return this.forwardRaw(scaledInput, noiseCondition, labels);
  }
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

describe('UNetDenoiser', () => {
  it('gives an output shaped like x and one tap per encoder resolution', () => {
    const unet = new UNetDenoiser(CONFIG);
    const x = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 1);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const before = tf.memory().numTensors;
    const { denoised, features } = unet.denoiseWithFeatures(x, 1.3, labels);
    expect(denoised.shape).toEqual([3, 8, 8, 2]);
    expect(unet.featureNames).toEqual(['encoder.8', 'encoder.4']);
    expect(unet.featureTaps).toEqual([
      { name: 'encoder.8', resolution: 8, channels: 8 },
      { name: 'encoder.4', resolution: 4, channels: 16 },
    ]);
    expect(Object.keys(features)).toEqual(['encoder.8', 'encoder.4']);
    expect(features['encoder.8']?.shape).toEqual([3, 8, 8, 8]);
    expect(features['encoder.4']?.shape).toEqual([3, 4, 4, 16]);
    // Only the returned tensors survive the forward pass.
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(denoised.dataSync().every(Number.isFinite)).toBe(true);
    expect(unet.config).toEqual({ ...CONFIG, sigmaData: 0.5 });
    expect(unet.classCount).toBe(2);
    tf.dispose([x, labels, denoised, features]);
    unet.dispose();
  });

  it('computes the taps alone with the values of the whole forward pass and fewer kernels', async () => {
    const unet = new UNetDenoiser(CONFIG);
    const x = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 2);
    const labels = tf.tensor1d([1, 0, 2], 'int32');
    const sigma = tf.tensor1d([0.3, 1.1, 4]);
    // tf.profile hands back one shared object: read each count before the next profile.
    const wholeKernels = (await tf.profile(() => unet.denoiseWithFeatures(x, sigma, labels)))
      .kernels.length;
    const tapKernels = (await tf.profile(() => unet.features(x, sigma, labels))).kernels.length;
    const { denoised, features: expected } = unet.denoiseWithFeatures(x, sigma, labels);
    const before = tf.memory().numTensors;
    const features = unet.features(x, sigma, labels);
    // Only the taps survive.
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(Object.keys(features)).toEqual(unet.featureNames);
    for (const name of unet.featureNames) {
      expect(features[name]?.shape).toEqual(expected[name]?.shape);
      expect(Array.from(features[name]?.dataSync() ?? [])).toEqual(
        Array.from(expected[name]?.dataSync() ?? []),
      );
    }
    // The middle blocks and the decoder do not run: under two thirds of the kernels here.
    expect(tapKernels).toBeLessThan((2 / 3) * wholeKernels);
    tf.dispose([x, labels, sigma, denoised, expected, features]);
    unet.dispose();
  });

  it('has the parameter count computed by hand from the config', () => {
    const unet = new UNetDenoiser(CONFIG);
    // E = 16 (embedding), channels 8 at resolution 8 and 16 at resolution 4, 2 image channels.
    const conv = (k: number, i: number, o: number) => k * k * i * o + o;
    const linear = (i: number, o: number) => i * o + o;
    const norm = (c: number) => 2 * c;
    const attention = (c: number) => norm(c) + linear(c, 3 * c) + linear(c, c);
    const block = (i: number, o: number, withAttention: boolean) =>
      norm(i) +
      conv(3, i, o) +
      linear(16, o) +
      norm(o) +
      conv(3, o, o) +
      (i === o ? 0 : conv(1, i, o)) +
      (withAttention ? attention(o) : 0);
    const expected =
      3 * 8 + // class embedding, 2 classes + the null label, 8 sinusoid features
      linear(8, 16) +
      linear(16, 16) + // sigma mapping
      conv(3, 2, 8) + // input conv
      block(8, 8, false) + // encoder at 8
      conv(3, 8, 8) + // downsample to 4
      block(8, 16, true) + // encoder at 4, attention
      block(16, 16, true) +
      block(16, 16, false) + // middle
      block(16 + 16, 16, true) + // decoder at 4 (skip from encoder.4)
      conv(3, 16, 16) + // upsample to 8
      block(16 + 8, 8, false) + // decoder at 8 (skip from encoder.8)
      norm(8) +
      conv(3, 8, 2); // output
    expect(expected).toBe(32818);
    expect(unet.parameterCount()).toBe(expected);
    // Names are stable paths (they name the tensors of a safetensors file).
    const names = unet.namedParameters().map(([name]) => name);
    expect(names).toContain('encoder.1.downsample.conv.weight');
    expect(names).toContain('encoder.1.blocks.0.attention.qkv.weight');
    expect(names).toContain('decoder.1.upsample.conv.weight');
    expect(names).toContain('classEmbedding.weight');
    unet.dispose();
  });

  it('passes a non-zero, finite gradient to every parameter', () => {
    const unet = new UNetDenoiser(CONFIG);
    const x0 = tf.randomNormal([3, 8, 8, 2], 0, 0.5, 'float32', 2);
    const noise = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 3);
    const sigma = tf.tensor1d([0.2, 1, 5]);
    const x = tf.add(x0, tf.mul(noise, tf.reshape(sigma, [3, 1, 1, 1])));
    // Labels 0, 1 and the null label 2, so every row of the class embedding is used.
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const named = unet.namedParameters();
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(tf.sub(unet.denoise(x, sigma, labels), x0))) as tf.Scalar,
      named.map(([, variable]) => variable),
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const missing: string[] = [];
    for (const [name, variable] of named) {
      const gradient = grads[variable.name];
      if (gradient === undefined) {
        missing.push(`${name} (missing)`);
        continue;
      }
      const values = gradient.dataSync();
      if (!values.every(Number.isFinite)) missing.push(`${name} (not finite)`);
      else if (!values.some((entry) => entry !== 0)) missing.push(`${name} (all zero)`);
    }
    expect(missing).toEqual([]);
    tf.dispose([x0, noise, sigma, x, labels, value, grads]);
    unet.dispose();
  });

  it('has exact second derivatives (an exact R1 penalty can differentiate through it)', () => {
    // R(theta) = ||grad_x sum(readout * D(x))||^2 needs d/dtheta of a gradient: compare tfjs's
    // double backprop with central differences of R along a random direction of all parameters.
    const unet = new UNetDenoiser({ ...CONFIG, classCount: undefined });
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 12);
    const readout = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 13);
    const penalty = () =>
      tf.sum(
        tf.square(
          tf.grad((input: tf.Tensor) => tf.sum(tf.mul(unet.denoise(input, 0.9), readout)))(x),
        ),
      ) as tf.Scalar;
    const variables = unet.parameters();
    const directions = variables.map((variable, index) =>
      tf.randomNormal(variable.shape, 0, 1, 'float32', 200 + index),
    );
    const { value, grads } = tf.variableGrads(penalty, variables);
    // The network is strongly curved along a direction of ALL parameters: the central difference
    // converges only for small steps (measured: 1e-2 -> 4.0, 1e-3 -> -110.95, 1e-4 -> -112.796,
    // autodiff -112.797); float32 rounding (~1e-6 on R ~ 11) stays ~1e-4 of the slope at 1e-4.
    const step = 1e-4;
    const { autodiff, finite } = directionalDerivatives(
      variables,
      directions,
      grads,
      penalty,
      step,
    );
    expect(Math.abs(autodiff - finite) / Math.abs(finite)).toBeLessThan(2e-3);
    tf.dispose([x, readout, directions, value, grads]);
    unet.dispose();
  });

  it('wraps the raw network in EDM preconditioning', () => {
    const unet = new ExposedUNet({ ...CONFIG, sigmaData: 0.7 });
    const x = tf.randomNormal([2, 8, 8, 2], 0, 2, 'float32', 4);
    const sigma = tf.tensor1d([0.3, 4]);
    const labels = tf.tensor1d([1, 0], 'int32');
    const coefficients = edmCoefficients(sigma, 0.7);
    const perSample = (values: tf.Tensor) => tf.reshape(values, [2, 1, 1, 1]);
    const raw = unet.raw(
      tf.mul(x, perSample(coefficients.input)),
      coefficients.noise as tf.Tensor1D,
      labels,
    );
    const expected = tf.add(
      tf.mul(x, perSample(coefficients.skip)),
      tf.mul(raw.output, perSample(coefficients.out)),
    );
    const denoised = unet.denoise(x, sigma, labels);
    expect(maxAbsDifference(denoised, expected)).toBeLessThan(1e-5);
    const score = unet.score(x, sigma, labels);
    const expectedScore = tf.div(tf.sub(expected, x), perSample(tf.square(sigma)));
    expect(maxAbsDifference(score, expectedScore)).toBeLessThan(1e-4);
    tf.dispose([x, sigma, labels, coefficients, raw, expected, denoised, score, expectedScore]);
    unet.dispose();
  });

  it('conditions on the class, with the null label as the default', () => {
    const unet = new UNetDenoiser(CONFIG);
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 5);
    const withNull = unet.denoise(x, 1, tf.tensor1d([2, 2], 'int32'));
    const withoutLabels = unet.denoise(x, 1);
    const withClasses = unet.denoise(x, 1, tf.tensor1d([0, 1], 'int32'));
    expect(maxAbsDifference(withNull, withoutLabels)).toBe(0);
    expect(maxAbsDifference(withNull, withClasses)).toBeGreaterThan(1e-4);
    expect(() => unet.denoise(x, 1, tf.tensor1d([0, 1]))).toThrow(
      'UNetDenoiser: labels must be an int32 tensor of shape [2], got float32 [2]',
    );
    const unconditional = new UNetDenoiser({ ...CONFIG, classCount: undefined });
    expect(unconditional.classCount).toBeUndefined();
    expect(() => unconditional.denoise(x, 1, tf.tensor1d([0, 1], 'int32'))).toThrow(
      'this denoiser is unconditional',
    );
    expect(() => unet.denoise(tf.zeros([2, 8, 8, 3]), 1)).toThrow(
      'x must be [batch, 8, 8, 2], got [2,8,8,3]',
    );
    tf.dispose([x, withNull, withoutLabels, withClasses]);
    unet.dispose();
    unconditional.dispose();
  });

  it('is reproducible from its config and copies weights from a twin', () => {
    const first = new UNetDenoiser(CONFIG);
    const rebuilt = new UNetDenoiser(first.config);
    const other = new UNetDenoiser({ ...CONFIG, seed: 8 });
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 6);
    const a = first.denoise(x, 0.8);
    const b = rebuilt.denoise(x, 0.8);
    const c = other.denoise(x, 0.8);
    expect(maxAbsDifference(a, b)).toBe(0);
    expect(maxAbsDifference(a, c)).toBeGreaterThan(1e-4);
    other.copyParametersFrom(first);
    const d = other.denoise(x, 0.8);
    expect(maxAbsDifference(a, d)).toBe(0);
    tf.dispose([x, a, b, c, d]);
    first.dispose();
    rebuilt.dispose();
    other.dispose();
  });

  it('validates the config up front, naming the field', () => {
    const build = (change: Partial<UNetConfig> & Record<string, unknown>) =>
      new UNetDenoiser({ ...CONFIG, ...change } as UNetConfig);
    expect(() => build({ groupNormGroups: 3 })).toThrow(
      'config.groupNormGroups (3) must divide the channels of every level; it does not divide 8',
    );
    expect(() => build({ imageSize: 6, channelMultipliers: [1, 2, 2] })).toThrow(
      'config.imageSize (6) must be divisible by 2^2 = 4',
    );
    expect(() => build({ attentionResolutions: [2] })).toThrow(
      "config.attentionResolutions contains 2, which is not one of the network's resolutions (8, 4)",
    );
    expect(() => build({ baseChannels: 7 })).toThrow('config.baseChannels must be even, got 7');
    expect(() => build({ channelMultipliers: [] })).toThrow(
      'config.channelMultipliers must be a non-empty array',
    );
    expect(() => build({ blocksPerResolution: 0 })).toThrow(
      'config.blocksPerResolution must be an integer >= 1, got 0',
    );
    expect(() => build({ classCount: 0 })).toThrow('config.classCount must be an integer >= 1');
    expect(() => build({ seed: 0.5 })).toThrow('config.seed must be an integer seed');
    expect(() => build({ sigmaData: -1 })).toThrow('config.sigmaData must be a finite number > 0');
    expect(() => build({ dropout: 0.1 })).toThrow('unknown config field "dropout"');
  });
});

describe('UNetDenoiser safetensors', () => {
  it('rebuilds the same network from its own file, and names a file without a config', () => {
    const original = new UNetDenoiser({ ...CONFIG, seed: 11 });
    const copy = UNetDenoiser.fromSafetensors(original.toSafetensors());
    expect(copy.config).toEqual(original.config);
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 3);
    const labels = tf.tensor1d([0, 2], 'int32');
    expect(maxAbsDifference(original.denoise(x, 0.7, labels), copy.denoise(x, 0.7, labels))).toBe(
      0,
    );
    const bare = encodeSafetensors(new Map(), {});
    expect(() => UNetDenoiser.fromSafetensors(bare)).toThrow(
      'UNetDenoiser.fromSafetensors: the file has no "config" metadata',
    );
    tf.dispose([x, labels]);
    original.dispose();
    copy.dispose();
  });
});
