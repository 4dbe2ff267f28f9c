import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmKernels } from '../install-wasm-kernels.js';

/** A deterministic random generator (mulberry32) for test shapes and values. */
export function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer uniform in [low, high]. */
export function randomInteger(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** `size` values uniform in [-1, 1). */
export function randomValues(random: () => number, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => 2 * random() - 1);
}

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

/** The largest absolute difference over the largest absolute reference value (at least 1). */
export function relativeError(reference: Float32Array, actual: Float32Array): number {
  if (reference.length !== actual.length) return Number.POSITIVE_INFINITY;
  let scale = 1;
  let error = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i] as number));
    const difference = Math.abs((reference[i] as number) - (actual[i] as number));
    error = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : Math.max(error, difference);
  }
  return error / scale;
}
