import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  installLeanGradients,
  installWasmKernels,
  uninstallLeanGradients,
} from '@fdistill/backend';
import { expect } from 'vitest';

/**
 * Runs `compute` on the cpu backend (the reference) and on wasm with the project's kernels
 * installed, on the same inputs, and returns both results' values.
 */
export async function onBothBackends(
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = async (name: string) => {
    await tf.setBackend(name);
    if (name === 'wasm' && !installWasmKernels()) throw new Error('wasm kernels not installed');
    const result = tf.tidy(compute);
    const tensors = Array.isArray(result) ? result : [result];
    const values = tensors.map((tensor) => tensor.dataSync() as Float32Array);
    tf.dispose(tensors);
    return values;
  };
  return { cpu: await run('cpu'), wasm: await run('wasm') };
}

/**
 * `onBothBackends` for an asynchronous `compute` (one that awaits training steps): it frees what
 * it does not return itself, as no tidy spans an await.
 */
export async function onBothBackendsAsync(
  compute: () => Promise<tf.Tensor[]>,
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = async (name: string) => {
    await tf.setBackend(name);
    if (name === 'wasm' && !installWasmKernels()) throw new Error('wasm kernels not installed');
    const tensors = await compute();
    const values = (await Promise.all(tensors.map((tensor) => tensor.data()))) as Float32Array[];
    tf.dispose(tensors);
    return values;
  };
  return { cpu: await run('cpu'), wasm: await run('wasm') };
}

/** `compute` once with tfjs's own backward pass and once with the lean one: values and peak bytes. */
export async function bothGradientPasses(compute: () => tf.Tensor[] | Promise<tf.Tensor[]>) {
  const run = async () => {
    const before = tf.memory().numTensors;
    let values: Float32Array[] = [];
    const profile = await tf.profile(async () => {
      const tensors = await compute();
      values = (await Promise.all(tensors.map((tensor) => tensor.data()))) as Float32Array[];
      tf.dispose(tensors);
    });
    const peakBytes = profile.peakBytes;
    return { values, peakBytes, leaked: tf.memory().numTensors - before };
  };
  uninstallLeanGradients();
  const tfjs = await run();
  installLeanGradients();
  const lean = await run();
  return { tfjs, lean };
}

/** Expects every output within `tolerance` of the reference, relative to its largest value. */
export function expectClose(actual: Float32Array[], expected: Float32Array[], tolerance = 1e-6) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, index) => {
    const reference = expected[index] as Float32Array;
    expect(values.length).toBe(reference.length);
    let error = 0;
    let scale = 1e-12;
    for (let i = 0; i < values.length; i++) {
      error = Math.max(error, Math.abs((values[i] as number) - (reference[i] as number)));
      scale = Math.max(scale, Math.abs(reference[i] as number));
    }
    expect(error / scale, `output ${index}`).toBeLessThan(tolerance);
  });
}
export { type DistillStepDifferences, distillStepDifferences } from './distill-step-differences.js';
