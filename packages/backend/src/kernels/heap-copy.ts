import type * as tf from '@tensorflow/tfjs-core';
import type { UnaryInputs } from '@tensorflow/tfjs-core';
import { type KernelParams, registeredKernelFunc, stockKernelFunc } from './call-kernel.js';
import { isWasmBackend, type WasmBackend } from './wasm-heap.js';

/** Runs at least this long are copied by `copyWithin` (a native memmove); shorter by a loop. */
export const NATIVE_COPY_LENGTH = 48;

/** Copies `count` floats inside the heap (the ranges do not overlap). */
export function copyRun(heap: Float32Array, target: number, source: number, count: number): void {
  if (count >= NATIVE_COPY_LENGTH) {
    heap.copyWithin(target, source, source + count);
    return;
  }
  for (let i = 0; i < count; i++) heap[target + i] = heap[source + i] as number;
}

/** The product of `values` (1 for none): a shape's element count. */
export function product(values: readonly number[]): number {
  return values.reduce((total, value) => total * value, 1);
}

/** Whether two shapes are equal. */
export function sameShape(first: readonly number[], second: readonly number[]): boolean {
  return first.length === second.length && first.every((value, index) => value === second[index]);
}

/**
 * A wasm kernel of one input `x` that copies float32 tensors on the heap with `copy` and hands
 * every other case to `stock` (this package's Slice and SplitV).
 *
 * @example heapCopyKernelConfig<SliceAttrs>(Slice, tf.getKernel(Slice, 'wasm'), (backend, x, { begin, size }) => sliceFloats(backend, x, begin, size));
 */
export function heapCopyKernelConfig<Attrs>(
  kernelName: string,
  stock: tf.KernelConfig,
  copy: (backend: WasmBackend, x: tf.TensorInfo, attrs: Attrs) => tf.TensorInfo | tf.TensorInfo[],
): tf.KernelConfig {
  const stockKernel = stockKernelFunc<UnaryInputs, Attrs>(stock);
  const kernel = (params: KernelParams<UnaryInputs, Attrs>) => {
    const { inputs, backend, attrs } = params;
    const { x } = inputs;
    if (!isWasmBackend(backend) || x.dtype !== 'float32') return stockKernel(params);
    return copy(backend, x, attrs);
  };
  return { ...stock, kernelName, kernelFunc: registeredKernelFunc(kernel) };
}
