import '@tensorflow/tfjs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIdxFile } from '@fdistill/trainer/node';
import { seededUniform } from '@fdistill/utils';
import { afterAll, describe, expect, it } from 'vitest';
import { exportClassifierToOnnx } from './classifier/export-classifier-to-onnx.js';
import { FashionClassifier } from './classifier/fashion-classifier.js';
import { checkClassifierFile } from './evaluate-image.js';
import { evaluateSampleSet } from './evaluate-samples.js';
import { FASHION_MNIST_FILES, FASHION_MNIST_PATH } from './fashion-mnist.js';
import { fromPixelLevels } from './pixel-levels.js';
import { readSampleFile } from './sample-file.js';
import { encodeSampleNpz } from './sample-npz.js';

const folder = mkdtempSync(join(tmpdir(), 'fdistill-eval-samples-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const hasData = existsSync(join(FASHION_MNIST_PATH, FASHION_MNIST_FILES.testImages));

/** The first `count` test images as uint8 levels [N, 28, 28] and their labels. */
function testImages(count: number): { levels: Uint8Array; labels: number[] } {
  const images = readIdxFile(join(FASHION_MNIST_PATH, FASHION_MNIST_FILES.testImages));
  const labels = readIdxFile(join(FASHION_MNIST_PATH, FASHION_MNIST_FILES.testLabels));
  return {
    levels: Uint8Array.from(images.data.subarray(0, count * 784)),
    labels: Array.from(labels.data.subarray(0, count)),
  };
}

/** Writes levels [N, 28, 28] as the field's .npz (uint8 samples [N, 28, 28, 1], int64 labels). */
function writeNpz(path: string, levels: Uint8Array, labels: number[]): void {
  writeFileSync(path, encodeSampleNpz(fromPixelLevels(levels), [labels.length, 28, 28, 1], labels));
}

describe.skipIf(!hasData)(
  'evaluateSampleSet on real and random images',
  { timeout: 120_000 },
  () => {
    it('gives real test images a FID under the real-data floor and the classifier accuracy, noise a huge FID', async () => {
      const count = 1000;
      const { levels, labels } = testImages(count);
      writeNpz(join(folder, 'test.npz'), levels, labels);
      const real = await evaluateSampleSet(
        await readSampleFile(join(folder, 'test.npz')),
        FASHION_MNIST_PATH,
      );
      // Test images are drawn from the reference set itself: closer than held-out training images.
      expect(real.samples.domainFid).toBeGreaterThanOrEqual(0);
      expect(real.samples.domainFid).toBeLessThan(real.realData.domainFid);
      // The shipped classifier's accuracy on the 10,000 test images is 0.9124 (models/README.md).
      expect(Math.abs((real.samples.classes.labelAccuracy as number) - 0.9124)).toBeLessThan(0.03);
      expect(real.samples.classes.classesCovered).toBe(10);
      expect(real.realData.classes.labelAccuracy).toBeGreaterThan(0.9);
      const uniform = seededUniform(12345);
      const noise = Uint8Array.from(levels, () => Math.floor(uniform() * 256));
      writeNpz(join(folder, 'noise.npz'), noise, labels);
      const random = await evaluateSampleSet(
        await readSampleFile(join(folder, 'noise.npz')),
        FASHION_MNIST_PATH,
      );
      expect(random.samples.domainFid).toBeGreaterThan(20 * random.realData.domainFid);
      expect(random.samples.recall).toBeLessThan(0.05);
      expect(random.samples.classes.labelAccuracy).toBeLessThan(0.3);
    });

    it('scores with another classifier when given one: samples and reference both go through it', async () => {
      const count = 500;
      const { levels, labels } = testImages(count);
      writeNpz(join(folder, 'test-500.npz'), levels, labels);
      // An untrained classifier: its logits are chance, its features still a fixed map of pixels.
      const untrained = new FashionClassifier({ seed: 7 });
      const classifierPath = join(folder, 'untrained.onnx');
      writeFileSync(classifierPath, exportClassifierToOnnx(untrained));
      untrained.dispose();
      await expect(checkClassifierFile(classifierPath)).resolves.toBeUndefined();
      const samples = await readSampleFile(join(folder, 'test-500.npz'));
      const shipped = await evaluateSampleSet(samples, FASHION_MNIST_PATH);
      const other = await evaluateSampleSet(samples, FASHION_MNIST_PATH, classifierPath);
      expect(shipped.samples.classes.labelAccuracy).toBeGreaterThan(0.85);
      expect(other.samples.classes.labelAccuracy).toBeLessThan(0.3);
      // Test images against the test set stay under the floor only when both sides share features.
      expect(other.samples.domainFid).toBeLessThan(other.realData.domainFid);
      expect(other.samples.domainFid).not.toBeCloseTo(shipped.samples.domainFid, 3);
    });

    it('checkClassifierFile names a model without the classifier outputs', async () => {
      const notClassifier = join(folder, 'not-a-model.onnx');
      writeFileSync(notClassifier, 'not onnx');
      await expect(checkClassifierFile(notClassifier)).rejects.toThrow(
        `${notClassifier} is not a readable ONNX model`,
      );
    });
  },
);
