import '@tensorflow/tfjs';
import { TINY_CONDITIONAL_UNET } from '@fdistill/testing';
import { maxAbsDifference, openSession, toOrtTensor } from '@fdistill/testing/onnx';
import {
  randomizeParameters,
  randomLabels,
  spreadSigmas,
  trainBriefly,
} from '@fdistill/testing/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { edmCoefficients, multiplyPerSample } from '../edm-preconditioning.js';
import { ringMixture } from '../mixture-presets.js';
import { MlpDenoiser, type MlpDenoiserOptions } from '../mlp-denoiser.js';
import { UNetDenoiser } from '../unet/unet-denoiser.js';
import { exportDenoiserToOnnx } from './export-denoiser-to-onnx.js';

const BATCH_SIZES = [1, 3, 8];
const TOLERANCE = 1e-4;

/**
 * The largest |ONNX - tfjs| of `denoise` over the batch sizes, one session for all of them
 * (the batch dimension is dynamic), and the largest |c_out F| (what the network adds to
 * `c_skip x`, so that the error is measured against a part that matters). Sigmas span
 * [0.002, 80]; labels include the null label.
 */
async function denoiserParity(
  network: MlpDenoiser | UNetDenoiser,
  seed: number,
): Promise<{ error: number; signal: number }> {
  const session = await openSession(exportDenoiserToOnnx(network));
  const dataShape =
    network instanceof MlpDenoiser
      ? [network.config.dimension]
      : [network.config.imageSize, network.config.imageSize, network.config.channels];
  let largest = 0;
  let signal = 0;
  for (const batch of BATCH_SIZES) {
    const x = tf.mul(tf.randomNormal([batch, ...dataShape], 0, 1, 'float32', seed + batch), 2);
    const sigma = spreadSigmas(batch, seed + 100 + batch);
    const labels =
      network.classCount === undefined
        ? undefined
        : randomLabels(batch, network.classCount, seed + 200 + batch);
    const expected = network.denoise(x, sigma, labels);
    const feeds: Record<string, ReturnType<typeof toOrtTensor>> = {
      x: toOrtTensor(x),
      sigma: toOrtTensor(sigma),
    };
    if (labels !== undefined) feeds.labels = toOrtTensor(labels);
    const { denoised } = await session.run(feeds);
    largest = Math.max(largest, maxAbsDifference(denoised as never, expected));
    const networkPart = tf.tidy(() =>
      tf.max(tf.abs(tf.sub(expected, multiplyPerSample(x, edmCoefficients(sigma).skip)))),
    );
    signal = Math.max(signal, networkPart.dataSync()[0] as number);
    tf.dispose([x, sigma, labels, expected, networkPart]);
  }
  await session.release();
  return { error: largest, signal };
}

/** Within 1e-4 of tfjs, on a network part at least 100 times larger than that. */
function expectParity({ error, signal }: { error: number; signal: number }): void {
  expect(error).toBeLessThanOrEqual(TOLERANCE);
  expect(signal).toBeGreaterThan(100 * TOLERANCE);
}

/**
 * Parity at the network's initial weights, after `trainBriefly(network, data, labels, steps)` and
 * with randomized weights; `seeds`: the three parity draws' and the randomization's, in the order
 * initial, trained, randomization, randomized.
 */
async function expectParityThroughTraining(
  network: MlpDenoiser | UNetDenoiser,
  data: tf.Tensor,
  labels: tf.Tensor | undefined,
  steps: number,
  seeds: [number, number, number, number],
): Promise<void> {
  const [initialSeed, trainedSeed, randomizationSeed, randomizedSeed] = seeds;
  const initial = await denoiserParity(network, initialSeed);
  trainBriefly(network, data, labels, steps);
  const trained = await denoiserParity(network, trainedSeed);
  randomizeParameters(network, randomizationSeed);
  const randomized = await denoiserParity(network, randomizedSeed);
  expectParity(initial);
  expectParity(trained);
  expectParity(randomized);
}

const MLP_CASES: Array<[string, MlpDenoiserOptions]> = [
  ['fourier, unconditional', { dimension: 2, width: 32, depth: 3, embedding: 'fourier', seed: 1 }],
  [
    'fourier, 3 classes',
    { dimension: 3, width: 24, depth: 2, embedding: 'fourier', classCount: 3, seed: 2 },
  ],
  [
    'positional, unconditional, sigmaData 1',
    { dimension: 2, width: 16, depth: 1, embedding: 'positional', sigmaData: 1, seed: 3 },
  ],
  [
    'positional, 4 classes',
    { dimension: 5, width: 32, depth: 3, embedding: 'positional', classCount: 4, seed: 4 },
  ],
  [
    'fourier, 16 input Fourier features',
    { dimension: 2, width: 32, depth: 2, inputFeatures: 16, inputFeatureScale: 2, seed: 5 },
  ],
];

describe('exportDenoiserToOnnx: MlpDenoiser parity with tfjs (onnxruntime, all optimizations)', () => {
  for (const [name, options] of MLP_CASES) {
    it(`${name}: initial, briefly trained and randomized weights, batches 1, 3, 8`, async () => {
      const network = new MlpDenoiser({ ...options, embeddingSize: 16 });
      const ring = ringMixture({ modes: 4, radius: 1, std: 0.1 }).sample(64, 5);
      const x0 = tf.tidy(() =>
        tf.slice(
          tf.tile(ring, [1, Math.ceil(options.dimension / 2)]),
          [0, 0],
          [64, options.dimension],
        ),
      );
      const labels =
        options.classCount === undefined ? undefined : randomLabels(64, options.classCount, 6);
      // Measured over the four cases: errors 2e-9 .. 8e-7; |c_out F| at least 0.029.
      await expectParityThroughTraining(network, x0, labels, 5, [20, 30, 11, 40]);
      tf.dispose([ring, x0, labels]);
      network.dispose();
    });
  }
});

describe('exportDenoiserToOnnx: UNetDenoiser parity with tfjs (onnxruntime, all optimizations)', () => {
  it('8x8, base 8, attention, classes: initial, trained and randomized weights, batches 1, 3, 8', async () => {
    const network = new UNetDenoiser(TINY_CONDITIONAL_UNET);
    const images = tf.tidy(() => tf.tanh(tf.randomNormal([4, 8, 8, 2], 0, 1, 'float32', 8)));
    const labels = randomLabels(4, 2, 9);
    // Measured: errors 5.1e-7 (initial), 2.4e-7 (trained), 3.2e-6 (randomized); |c_out F| >= 0.32.
    await expectParityThroughTraining(network, images, labels, 3, [40, 50, 12, 60]);
    tf.dispose([images, labels]);
    network.dispose();
  }, 30000);

  it('an unconditional U-Net with three levels, two blocks each and no attention', async () => {
    const network = new UNetDenoiser({
      imageSize: 8,
      channels: 1,
      baseChannels: 4,
      channelMultipliers: [1, 2, 1],
      blocksPerResolution: 2,
      attentionResolutions: [],
      groupNormGroups: 2,
      embeddingSize: 8,
      seed: 3,
    });
    randomizeParameters(network, 13);
    const result = await denoiserParity(network, 70);
    // Measured: error 2.0e-6, |c_out F| 1.8.
    expectParity(result);
    network.dispose();
  });
});
