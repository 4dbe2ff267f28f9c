import { existsSync } from 'node:fs';
import { installWasmKernels } from '@fdistill/backend';
import { maxAbsDifference } from '@fdistill/testing/onnx';
import * as tf from '@tensorflow/tfjs';
import type { Tensor as OnnxTensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_PATH } from '../fashion-mnist.js';
import { exportClassifierToOnnx } from './export-classifier-to-onnx.js';
import { FashionClassifier } from './fashion-classifier.js';
import { trainFashionClassifier } from './train-classifier.js';

const hasFashionMnist = existsSync(FASHION_MNIST_PATH);

/** Replaces every parameter by N(0, 0.1^2) noise, so no zero bias hides a wrong layout. */
function randomizeParameters(classifier: FashionClassifier, seed: number): void {
  const state = new Map<string, tf.Tensor>();
  classifier.namedParameters().forEach(([name, variable], index) => {
    state.set(name, tf.randomNormal(variable.shape, 0, 0.1, 'float32', seed + index));
  });
  classifier.loadStateDict(state);
  tf.dispose([...state.values()]);
}

/**
 * Runs `body` on tfjs wasm with the project's kernels (the cpu backend's convolutions take
 * minutes here), then returns to the cpu backend.
 */
async function onWasmBackend(body: () => void): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  expect(installWasmKernels()).toBe(true);
  try {
    body();
  } finally {
    await tf.setBackend('cpu');
  }
}

describe('FashionClassifier', () => {
  it('gives features [batch, 128] and logits [batch, 10] and rejects other shapes', () => {
    const classifier = new FashionClassifier({ seed: 3 });
    const before = tf.memory().numTensors;
    const { features, logits } = classifier.forward(tf.zeros([2, 28, 28, 1]));
    expect(features.shape).toEqual([2, 128]);
    expect(logits.shape).toEqual([2, 10]);
    tf.dispose([features, logits]);
    expect(tf.memory().numTensors).toBe(before + 1); // the zeros input
    expect(() => classifier.forward(tf.zeros([2, 32, 32, 1]))).toThrow(/28, 28, 1/);
    expect(classifier.parameterCount()).toBe(
      16 * 9 + 16 + 32 * 16 * 9 + 32 + 64 * 32 * 9 + 64 + 3136 * 128 + 128 + 128 * 10 + 10,
    );
    classifier.dispose();
  });

  it('exports to ONNX with the same features and logits in onnxruntime', async () => {
    const classifier = new FashionClassifier({ seed: 5 });
    randomizeParameters(classifier, 11);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(exportClassifierToOnnx(classifier));
    expect([...session.inputNames]).toEqual(['images']);
    expect([...session.outputNames].sort()).toEqual(['features', 'logits']);
    const images = tf.randomUniform([3, 28, 28, 1], -1, 1, 'float32', 17);
    const { features, logits } = classifier.forward(images);
    const outputs = await session.run({
      images: new ort.Tensor('float32', Float32Array.from(images.dataSync()), [3, 28, 28, 1]),
    });
    expect(maxAbsDifference(outputs.features as OnnxTensor, features)).toBeLessThan(1e-4);
    expect(maxAbsDifference(outputs.logits as OnnxTensor, logits)).toBeLessThan(1e-4);
    // Not a vacuous match: the features vary across images.
    expect(tf.moments(features).variance.dataSync()[0]).toBeGreaterThan(1e-4);
    await session.release();
    tf.dispose([images, features, logits]);
    classifier.dispose();
  });

  it.skipIf(!hasFashionMnist)(
    'learns well above chance in 60 steps, without leaking tensors',
    () =>
      onWasmBackend(() => {
        const before = tf.memory().numTensors;
        const counts: number[] = [];
        const { classifier, testAccuracy, steps } = trainFashionClassifier({
          batchSize: 32,
          trainingImageLimit: 3000,
          testImageLimit: 1000,
          stepLimit: 60,
          seed: 2,
          onStep: () => counts.push(tf.memory().numTensors),
        });
        expect(steps).toBe(60);
        expect(new Set(counts).size).toBe(1);
        expect(testAccuracy).toBeGreaterThan(0.6);
        classifier.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }),
    60_000,
  );

  it.skipIf(!hasFashionMnist)(
    'holds out the first heldOutImages training images, and names a hold-out that leaves none',
    async () => {
      await onWasmBackend(() => {
        // 59,744 held out leave 256 images: 2 full batches of 128 (all 60,000 would give 468).
        const { classifier, steps } = trainFashionClassifier({
          heldOutImages: 59_744,
          epochs: 1,
          testImageLimit: 10,
        });
        classifier.dispose();
        expect(steps).toBe(2);
      });
      expect(() => trainFashionClassifier({ heldOutImages: 60_000 })).toThrow(
        'options.heldOutImages must leave training images, got 60000 of 60000',
      );
      expect(() => trainFashionClassifier({ heldOutImages: -1 })).toThrow(
        'options.heldOutImages must be an integer >= 0, got -1',
      );
    },
    60_000,
  );
});
