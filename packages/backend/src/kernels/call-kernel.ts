import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-heap.js';

/**
 * What tfjs hands a kernel, typed with tfjs-core's `...Inputs` and `...Attrs` for that kernel
 * (every input the kernel declares is present), as tfjs-backend-wasm's own kernels take it.
 */
export interface KernelParams<Inputs, Attrs> {
  inputs: { [Name in keyof Inputs]-?: NonNullable<Inputs[Name]> };
  backend: object;
  attrs: Attrs;
}

/** A kernel function over typed inputs and attributes. */
export type TypedKernelFunc<Inputs, Attrs> = (
  params: KernelParams<Inputs, Attrs>,
) => tf.TensorInfo | tf.TensorInfo[];

/**
 * The `tf.KernelFunc` to register for a typed kernel function. tfjs's registry hands every kernel
 * the untyped `NamedTensorInfoMap` and `NamedAttrMap`; tfjs-backend-wasm bridges the two the same
 * way (`kernelFunc: conv2DBackpropInput as unknown as KernelFunc`). This is the package's one
 * such bridge, with `stockKernelFunc` its inverse.
 *
 * @example const config = { kernelName: Slice, backendName: 'wasm', kernelFunc: registeredKernelFunc(slice) };
 */
export function registeredKernelFunc<Inputs, Attrs>(
  kernelFunc: TypedKernelFunc<Inputs, Attrs>,
): tf.KernelFunc {
  return kernelFunc as unknown as tf.KernelFunc;
}

/**
 * A registered kernel's function (e.g. the stock kernel one of ours replaces), called with the
 * typed parameters our kernel received.
 *
 * @example const stockSlice = stockKernelFunc<SliceInputs, SliceAttrs>(tf.getKernel(Slice, 'wasm'));
 */
export function stockKernelFunc<Inputs, Attrs>(
  stock: tf.KernelConfig,
): TypedKernelFunc<Inputs, Attrs> {
  return stock.kernelFunc as unknown as TypedKernelFunc<Inputs, Attrs>;
}

/** The kernels ours call from inside a kernel, with tfjs-core's types for their arguments. */
interface CalledKernels {
  [tf.BatchMatMul]: [tf.BatchMatMulInputs, tf.BatchMatMulAttrs];
  [tf.Conv2D]: [tf.Conv2DInputs, tf.Conv2DAttrs];
  [tf.PadV2]: [tf.PadV2Inputs, tf.PadV2Attrs];
  [tf.Transpose]: [tf.TransposeInputs, tf.TransposeAttrs];
}

/**
 * Runs another kernel of the wasm backend on tensor infos from inside a kernel (no tape, no
 * engine bookkeeping); the caller frees the result with `release` when it is a temporary.
 * `kernel` pins the implementation to use (e.g. the stock one a kernel of ours replaced).
 *
 * @example const transposed = callKernel(backend, Transpose, { x }, { perm: [1, 0] });
 */
export function callKernel<Name extends keyof CalledKernels>(
  backend: WasmBackend,
  name: Name,
  inputs: KernelParams<CalledKernels[Name][0], CalledKernels[Name][1]>['inputs'],
  attrs: CalledKernels[Name][1],
  kernel: tf.KernelConfig | undefined = tf.getKernel(name, 'wasm'),
): tf.TensorInfo {
  if (kernel === undefined) throw new Error(`wasm kernels: the wasm backend has no ${name} kernel`);
  const kernelFunc = stockKernelFunc<CalledKernels[Name][0], CalledKernels[Name][1]>(kernel);
  return kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}
