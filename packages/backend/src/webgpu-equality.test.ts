import { twoImageDistillSteps, twoMixtureDistillSteps } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeWebGpu } from './node-webgpu.js';
import { selectBackend } from './select-backend.js';

/**
 * The GPU code path without a GPU: Dawn runs tfjs-webgpu's shaders on a Vulkan driver (a GPU's,
 * or chromium's SwiftShader on the CPU). Without a Vulkan loader or driver the suite is skipped,
 * and the reason printed.
 */
const found = await nodeWebGpu().catch((error: Error) => ({
  gpu: undefined,
  reason: error.message,
}));
const skipReason = found.gpu === undefined ? found.reason : undefined;
if (skipReason !== undefined) console.warn(`webgpu equality tests skipped: ${skipReason}`);

/** The largest difference of two equal-length lists, relative to each reference value. */
function largestRelativeDifference(actual: Float32Array, expected: Float32Array): number {
  let largest = 0;
  expected.forEach((value, index) => {
    const difference = Math.abs((actual[index] as number) - value);
    largest = Math.max(largest, difference / Math.max(Math.abs(value), 1e-12));
  });
  return largest;
}

/** The Euclidean norm of `after - before` over every element of every output. */
function normOfDifference(after: Float32Array[], before: Float32Array[]): number {
  let sum = 0;
  before.forEach((values, output) => {
    const other = after[output] as Float32Array;
    values.forEach((value, index) => {
      sum += ((other[index] as number) - value) ** 2;
    });
  });
  return Math.sqrt(sum);
}

/**
 * Asserts that webgpu gave the cpu backend's losses (each to 1e-4 relative: float32 sums in
 * another order) and parameter updates (the difference of the updates within 2% of the cpu
 * update, in norm over all parameters: AdamW's first steps are about the learning rate times the
 * sign of each gradient element, so an element whose gradient is rounding noise may move either
 * way on either backend). `outputs` are the losses, the parameters after, the parameters before.
 */
function expectSameSteps(webgpu: Float32Array[], cpu: Float32Array[]) {
  expect(webgpu.map((values) => values.length)).toEqual(cpu.map((values) => values.length));
  expect(largestRelativeDifference(webgpu[0] as Float32Array, cpu[0] as Float32Array)).toBeLessThan(
    1e-4,
  );
  const count = (cpu.length - 1) / 2;
  const [before, cpuAfter] = [cpu.slice(1 + count), cpu.slice(1, 1 + count)];
  const cpuUpdate = normOfDifference(cpuAfter, before);
  expect(cpuUpdate).toBeGreaterThan(0);
  expect(normOfDifference(webgpu.slice(1, 1 + count), cpuAfter) / cpuUpdate).toBeLessThan(0.02);
}

/** `compute` on a backend: every output read back (without blocking) and freed. */
async function on(
  backend: 'cpu' | 'webgpu',
  compute: () => Promise<tf.Tensor[]>,
): Promise<Float32Array[]> {
  await selectBackend(backend);
  const tensors = await compute();
  const values = (await Promise.all(tensors.map((tensor) => tensor.data()))) as Float32Array[];
  tf.dispose(tensors);
  return values;
}

describe.skipIf(skipReason !== undefined)(
  "two f-distill steps on webgpu (Dawn) equal the cpu backend's",
  { timeout: 240_000 },
  () => {
    afterAll(async () => {
      await selectBackend('cpu');
    });

    it('MLP student, fake score and discriminator on ring8: losses and updated parameters', async () => {
      const cpu = await on('cpu', twoMixtureDistillSteps);
      const webgpu = await on('webgpu', twoMixtureDistillSteps);
      expectSameSteps(webgpu, cpu);
    });

    it('small U-Net with conv heads on its taps and approximate R1: losses and updated parameters', async () => {
      const cpu = await on('cpu', twoImageDistillSteps);
      const webgpu = await on('webgpu', twoImageDistillSteps);
      expectSameSteps(webgpu, cpu);
    });
  },
);
