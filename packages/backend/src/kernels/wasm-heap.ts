import type * as tf from '@tensorflow/tfjs-core';
import { tfjsPatchSupport } from '../tfjs-patch-support.js';

/** The parts of the Emscripten module of tfjs-backend-wasm 4.x that the kernels use. */
interface WasmModule {
  HEAPF32: Float32Array;
  cwrap(name: string, returnType: null, argumentTypes: string[]): (...args: unknown[]) => void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

/** The parts of tfjs-backend-wasm's `BackendWasm` that the kernels use. */
export interface WasmBackend extends tf.KernelBackend {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/**
 * Whether `backend` is a tfjs-backend-wasm backend with the internals these kernels rely on (the
 * heap, tensor registration and the C entry points) under the tfjs-core release they were written
 * for (`tfjsPatchSupport()`); the kernels are installed only when it is.
 *
 * @example if (!isWasmBackend(tf.findBackend('wasm'))) return;
 */
export function isWasmBackend(backend: unknown): backend is WasmBackend {
  const candidate = backend as Partial<WasmBackend> | undefined;
  return (
    tfjsPatchSupport().supported &&
    typeof candidate?.wasm?.cwrap === 'function' &&
    candidate.wasm.HEAPF32 instanceof Float32Array &&
    typeof candidate.wasm.tfjs?.registerTensor === 'function' &&
    typeof candidate.wasm.tfjs?.disposeData === 'function' &&
    typeof candidate.dataIdNextNumber === 'number' &&
    typeof candidate.dataIdMap?.get === 'function' &&
    typeof candidate.makeOutput === 'function'
  );
}

/**
 * The wasm heap as float32. Read it again after every allocation: a growing heap replaces it.
 *
 * @example const heap = heapFloats(backend); heap[floatOffset(backend, x)]; // x's first value
 */
export function heapFloats(backend: WasmBackend): Float32Array {
  return backend.wasm.HEAPF32;
}

/**
 * Where a tensor's data starts in `heapFloats(backend)` (an index, not a byte offset).
 *
 * @example heapFloats(backend).subarray(floatOffset(backend, x), floatOffset(backend, x) + size);
 */
export function floatOffset(backend: WasmBackend, tensor: tf.TensorInfo): number {
  return memoryOffset(backend, tensor) / 4;
}

function memoryOffset(backend: WasmBackend, tensor: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(tensor.dataId);
  if (data === undefined) throw new Error('wasm kernels: the tensor has no data on this backend');
  return data.memoryOffset;
}

/**
 * A new float32 tensor on the wasm heap; its contents are undefined until written.
 *
 * @example const out = allocate(backend, [2, 3]); heapFloats(backend).fill(0, floatOffset(backend, out), floatOffset(backend, out) + 6);
 */
export function allocate(backend: WasmBackend, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/**
 * Frees a tensor made inside a kernel (`allocate` or another kernel's output).
 *
 * @example release(backend, scratch);
 */
export function release(backend: WasmBackend, tensor: tf.TensorInfo): void {
  backend.disposeData(tensor.dataId);
}
