/**
 * Trains the Fashion-MNIST classifier of the domain FID on tfjs wasm (with the project's kernels),
 * prints its test accuracy and training time, and writes
 * `packages/cli/models/fashion-mnist-classifier.onnx` and `fashion-mnist-classifier.json`.
 *
 *   npx tsx packages/cli/scripts/train-fashion-classifier.ts
 *   npx tsx packages/cli/scripts/train-fashion-classifier.ts --epochs 6 --seed 2 --output /tmp/models
 *   npx tsx packages/cli/scripts/train-fashion-classifier.ts --held-out 2000 --output /tmp/held-out
 *
 * Options: --epochs, --batch-size, --learning-rate, --seed, --step-limit, --held-out (leave the
 * first N training images, the evaluation's real-data floor, out of the training), --data-path,
 * --output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '@fdistill/backend';
import { exportClassifierToOnnx } from '../src/classifier/export-classifier-to-onnx.js';
import {
  FASHION_CLASSIFIER_TRAINING_DEFAULTS,
  trainFashionClassifier,
} from '../src/classifier/train-classifier.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const defaultOutput = fileURLToPath(new URL('../models/', import.meta.url));

const { values } = parseArgs({
  options: {
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    seed: { type: 'string' },
    'step-limit': { type: 'string' },
    'held-out': { type: 'string' },
    'data-path': { type: 'string' },
    output: { type: 'string' },
  },
});

/** The numeric option `name`, or `fallback` when absent. */
function numberOption(name: keyof typeof values, fallback: number): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new RangeError(`--${name} must be a number, got "${text}"`);
  return value;
}

const defaults = FASHION_CLASSIFIER_TRAINING_DEFAULTS;
const epochs = numberOption('epochs', defaults.epochs);
const batchSize = numberOption('batch-size', defaults.batchSize);
const learningRate = numberOption('learning-rate', defaults.learningRate);
const seed = numberOption('seed', defaults.seed);
const stepLimit = values['step-limit'] === undefined ? undefined : numberOption('step-limit', 0);
const heldOutImages = numberOption('held-out', 0);
const dataPath = values['data-path'] ?? defaults.dataPath;
const output = values.output ?? defaultOutput;

const backend = await selectBackend('wasm');
console.error(`backend: ${backend.name} (${backend.reason})`);

let lastReport = performance.now();
let lossSum = 0;
let lossCount = 0;
const result = trainFashionClassifier({
  dataPath,
  epochs,
  batchSize,
  learningRate,
  seed,
  heldOutImages,
  ...(stepLimit === undefined ? {} : { stepLimit }),
  onStep: (event) => {
    lossSum += event.loss;
    lossCount += 1;
    const now = performance.now();
    if (now - lastReport > 15_000 || event.step === event.totalSteps) {
      console.error(
        `step ${event.step}/${event.totalSteps} epoch ${event.epoch} loss ${(lossSum / lossCount).toFixed(4)} lr ${event.learningRate.toExponential(2)}`,
      );
      lastReport = now;
      lossSum = 0;
      lossCount = 0;
    }
  },
});
const { classifier, testAccuracy, trainSeconds, steps } = result;
console.log(`test accuracy ${testAccuracy.toFixed(4)}, trained in ${trainSeconds.toFixed(1)} s`);

const command = ['npx tsx', relative(repositoryRoot, fileURLToPath(import.meta.url))]
  .concat(process.argv.slice(2))
  .join(' ');
const summary = {
  testAccuracy,
  trainSeconds: Math.round(trainSeconds * 10) / 10,
  epochs,
  batchSize,
  seed,
  heldOutImages,
  parameters: classifier.parameterCount(),
  command,
  learningRate,
  steps,
  backend: backend.name,
};
mkdirSync(output, { recursive: true });
writeFileSync(
  join(output, 'fashion-mnist-classifier.onnx'),
  exportClassifierToOnnx(classifier, {
    metadata: { 'fdistill.testAccuracy': String(testAccuracy) },
  }),
);
writeFileSync(
  join(output, 'fashion-mnist-classifier.json'),
  `${JSON.stringify(summary, null, 2)}\n`,
);
console.log(`wrote ${join(output, 'fashion-mnist-classifier.onnx')} and .json`);
classifier.dispose();
