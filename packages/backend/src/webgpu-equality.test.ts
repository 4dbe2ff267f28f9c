import { distillStepDifferences } from '@fdistill/testing/backend';
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

/**
 * Asserts that webgpu gave the cpu backend's losses (each to 1e-4 relative: float32 sums in
 * another order) and parameter updates (to 2% in norm; see `distillStepDifferences`).
 */
function expectSameSteps(webgpu: Float32Array[], cpu: Float32Array[]) {
  const { losses, updates } = distillStepDifferences(webgpu, cpu);
  expect(losses).toBeLessThan(1e-4);
  expect(updates).toBeLessThan(0.02);
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
