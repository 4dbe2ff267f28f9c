import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-heap.js';

/**
 * Runs another kernel of the wasm backend on tensor infos from inside a kernel (no tape, no
 * engine bookkeeping); the caller frees the result with `release` when it is a temporary.
 * `kernel` pins the implementation to use (e.g. the stock one a kernel of ours replaced).
 *
 * @example const transposed = callKernel(backend, 'Transpose', { x }, { perm: [1, 0] });
 */
export function callKernel(
  backend: WasmBackend,
  name: string,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown>,
  kernel: tf.KernelConfig | undefined = tf.getKernel(name, 'wasm'),
): tf.TensorInfo {
  if (kernel === undefined) throw new Error(`wasm kernels: the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({
    inputs,
    backend,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}
