import '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalRows, seededRandom } from '@fdistill/testing';
import { writeDenseReluModel, writeImageProbeModel } from '@fdistill/testing/onnx';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdentityFeatureExtractor } from './identity-feature-extractor.js';
import { createInceptionFeatureExtractor } from './inception-feature-extractor.js';
import { createOnnxFeatureExtractor } from './onnx-feature-extractor.js';
import { resizeBilinear } from './resize-bilinear.js';

const folder = await mkdtemp(join(tmpdir(), 'fdistill-eval-onnx-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index++) {
    expect(Math.abs((actual[index] as number) - (expected[index] as number))).toBeLessThanOrEqual(
      tolerance,
    );
  }
}

describe('createOnnxFeatureExtractor', () => {
  const random = seededRandom(21);
  const weights = normalRows(random, 6, 4);
  const bias = [0.1, -0.2, 0.3, -0.4];

  it('runs a MatMul + Add + Relu model built by the test and matches tfjs', async () => {
    const modelPath = await writeDenseReluModel(folder, weights, bias);
    const extractor = await createOnnxFeatureExtractor({
      modelPath,
      inputName: 'input',
      outputName: 'features',
      batchSize: 2, // 5 samples: batches of 2, 2 and 1
    });
    const inputs = normalRows(random, 5, 6);
    const features = await extractor.extract(inputs);
    const expected = tf.tidy(() =>
      tf.relu(tf.add(tf.matMul(tf.tensor2d(inputs), tf.tensor2d(weights)), tf.tensor1d(bias))),
    );
    expect(features.shape).toEqual([5, 4]);
    expectClose(features.data, expected.dataSync(), 1e-5);
    expect(Array.from(features.data).some((value) => value === 0)).toBe(true); // Relu clipped some
    // A tensor input gives the same features.
    const tensor = tf.tensor2d(inputs);
    expect((await extractor.extract(tensor)).data).toEqual(features.data);
    tf.dispose([expected, tensor]);
    await extractor.dispose();
    await expect(extractor.extract(inputs)).rejects.toThrow('the extractor was disposed');
  });

  it('defaults to the first input and output, and rejects names the model lacks', async () => {
    const modelPath = await writeDenseReluModel(folder, weights, bias);
    const extractor = await createOnnxFeatureExtractor({ modelPath });
    expect((await extractor.extract([[1, 2, 3, 4, 5, 6]])).shape).toEqual([1, 4]);
    await extractor.dispose();
    await expect(createOnnxFeatureExtractor({ modelPath, outputName: 'logits' })).rejects.toThrow(
      'options.outputName must be one of the model\'s outputs (features), got "logits"',
    );
    await expect(createOnnxFeatureExtractor({ modelPath, batchSize: 0 })).rejects.toThrow(
      'options.batchSize must be an integer >= 1, got 0',
    );
    await expect(createOnnxFeatureExtractor({ modelPath: '' })).rejects.toThrow(
      'options.modelPath must be a non-empty string',
    );
  });

  it('names a file that is not ONNX, and one that is cut short', async () => {
    const notOnnx = join(folder, 'notes.onnx');
    await writeFile(notOnnx, 'plain text, not a protobuf');
    await expect(createOnnxFeatureExtractor({ modelPath: notOnnx })).rejects.toThrow(
      `createOnnxFeatureExtractor: ${notOnnx} is not a readable ONNX model (Protobuf parsing failed.)`,
    );
    const whole = await readFile(await writeDenseReluModel(folder, weights, bias));
    const cut = join(folder, 'cut.onnx');
    await writeFile(cut, whole.subarray(0, whole.length - 7));
    await expect(createOnnxFeatureExtractor({ modelPath: cut })).rejects.toThrow(
      `createOnnxFeatureExtractor: ${cut} is not a readable ONNX model (`,
    );
  });
});

describe('createInceptionFeatureExtractor', () => {
  const size = 6;
  const random = seededRandom(31);
  // Two 4x5 colour images and their grey versions, values in [-1.2, 1.2] (some clip).
  const colour = Float32Array.from({ length: 2 * 4 * 5 * 3 }, () => random.uniform() * 2.4 - 1.2);

  /** The same preprocessing in tfjs: 8-bit levels, resize, range, layout. */
  function tfjsPipeline(images: tf.Tensor4D, range: [number, number], layout: 'NCHW' | 'NHWC') {
    return tf.tidy(() => {
      const levels = tf.clipByValue(tf.floor(tf.add(tf.mul(images, 127.5), 128)), 0, 255);
      const rgb = images.shape[3] === 1 ? tf.tile(levels, [1, 1, 1, 3]) : levels;
      const resized = tf.image.resizeBilinear(rgb as tf.Tensor4D, [size, size], false, true);
      const scaled = tf.add(tf.mul(tf.div(resized, 255), range[1] - range[0]), range[0]);
      const laidOut = layout === 'NCHW' ? tf.transpose(scaled, [0, 3, 1, 2]) : scaled;
      return tf.reshape(laidOut, [images.shape[0], -1]);
    });
  }

  it('quantizes, resizes and normalizes like the tfjs pipeline (NCHW model, [0, 1])', async () => {
    const modelPath = await writeImageProbeModel(folder, size, 'NCHW');
    const extractor = await createInceptionFeatureExtractor({
      modelPath,
      outputName: 'pixels',
      imageSize: size,
    });
    const images = tf.tensor4d(colour, [2, 4, 5, 3]);
    const features = await extractor.extract(images);
    const expected = tfjsPipeline(images, [0, 1], 'NCHW');
    expect(features.shape).toEqual([2, 3 * size * size]);
    expectClose(features.data, expected.dataSync(), 1e-5);
    tf.dispose([images, expected]);
    await extractor.dispose();
  });

  it('repeats grey channels, takes NCHW images and feeds NHWC models in [-1, 1]', async () => {
    const modelPath = await writeImageProbeModel(folder, size, 'NHWC');
    const extractor = await createInceptionFeatureExtractor({
      modelPath,
      modelLayout: 'NHWC',
      inputRange: [-1, 1],
      imageSize: size,
      imageLayout: 'NCHW',
      batchSize: 1,
    });
    const grey = colour.slice(0, 2 * 4 * 5);
    const features = await extractor.extract({ data: grey, shape: [2, 1, 4, 5] });
    const nhwc = tf.tidy(() => tf.transpose(tf.tensor4d(grey, [2, 1, 4, 5]), [0, 2, 3, 1]));
    const expected = tfjsPipeline(nhwc as tf.Tensor4D, [-1, 1], 'NHWC');
    expectClose(features.data, expected.dataSync(), 1e-5);
    tf.dispose([nhwc, expected]);
    await extractor.dispose();
  });

  it('flattens a pool3-shaped [batch, C, 1, 1] output to one row per image', async () => {
    const modelPath = await writeImageProbeModel(folder, size, 'NCHW');
    const extractor = await createInceptionFeatureExtractor({
      modelPath,
      inputName: 'images',
      outputName: 'pool',
      imageSize: size,
      inputRange: [0, 255],
      quantize: false,
    });
    // Constant images: every resized pixel keeps the value, so the pool is the level itself.
    const constant = new Float32Array(2 * 3 * 3 * 3).fill(0.5);
    constant.fill(-1, 27);
    const features = await extractor.extract({ data: constant, shape: [2, 3, 3, 3] });
    expect(features.shape).toEqual([2, 3]);
    expectClose(features.data, [191.25, 191.25, 191.25, 0, 0, 0], 1e-4);
    await expect(
      extractor.extract({ data: new Float32Array(8), shape: [2, 2, 2] }),
    ).rejects.toThrow('images must be a rank-4 image batch (NHWC), got shape [2, 2, 2]');
    await expect(
      extractor.extract({ data: new Float32Array(16), shape: [1, 2, 2, 4] }),
    ).rejects.toThrow('images must have 1 or 3 channels (NHWC, shape [1, 2, 2, 4]), got 4');
    await extractor.dispose();
  });
});

describe('resizeBilinear', () => {
  it('matches PyTorch half-pixel bilinear values by hand and is the identity at equal size', () => {
    // 1-D [a, b] to 4: [a, 0.75 a + 0.25 b, 0.25 a + 0.75 b, b].
    expect(Array.from(resizeBilinear(Float32Array.of(0, 4), 1, 2, 1, 1, 4))).toEqual([0, 1, 3, 4]);
    const image = Float32Array.from({ length: 3 * 4 * 2 }, (_, index) => index * 0.5);
    expect(resizeBilinear(image, 3, 4, 2, 3, 4)).toEqual(image);
    // Downscaling 4 -> 2 samples at 0.5 and 2.5: averages of neighbours.
    expect(Array.from(resizeBilinear(Float32Array.of(0, 2, 4, 6), 1, 4, 1, 1, 2))).toEqual([1, 5]);
  });
});

describe('createIdentityFeatureExtractor', () => {
  it('returns the samples, flattened, as features', async () => {
    const extractor = createIdentityFeatureExtractor();
    const features = await extractor.extract([
      [1, 2],
      [3, 4],
    ]);
    expect(features.shape).toEqual([2, 2]);
    expect(Array.from(features.data)).toEqual([1, 2, 3, 4]);
    const images = await extractor.extract({
      data: new Float32Array(2 * 2 * 2 * 3),
      shape: [2, 2, 2, 3],
    });
    expect(images.shape).toEqual([2, 12]);
    expect(images.data).toBeInstanceOf(Float32Array);
    await expect(extractor.extract([[1, Number.NaN]])).rejects.toThrow(
      'must hold finite numbers, got NaN at index [0, 1]',
    );
    await extractor.dispose();
  });
});
