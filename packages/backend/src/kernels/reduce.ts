import type * as tf from '@tensorflow/tfjs-core';
import { Mean, type Sum, type SumAttrs, type SumInputs } from '@tensorflow/tfjs-core';
import { type KernelParams, registeredKernelFunc, stockKernelFunc } from './call-kernel.js';
import { hasSimdMemory, simdKernels } from './simd-kernels.js';
import { allocate, floatOffset, heapFloats, isWasmBackend, type WasmBackend } from './wasm-heap.js';

/** The reductions with a strided path here. */
export type ReduceOperation = typeof Sum | typeof Mean;

/** A reduction reduced to four axes: sizes, input strides, output strides (0 = reduced). */
export interface ReduceLayout {
  outShape: number[];
  outSize: number;
  reducedCount: number;
  sizes: number[];
  inputStrides: number[];
  outputStrides: number[];
  /** Whether the innermost axis is reduced. */
  innerReduced: boolean;
}

/**
 * The layout of reducing `shape` over `axes`: axes of size 1 dropped, neighbouring axes of the
 * same kind (kept or reduced) merged. `undefined` when it needs more than four axes, or when it is
 * a reduction of trailing axes only (which the stock kernel does fast).
 *
 * @example reduceLayout([8, 64, 4, 2], [1, 3], true)?.sizes; // [8, 64, 4, 2]: kept, reduced, kept, reduced
 */
export function reduceLayout(
  shape: readonly number[],
  axes: readonly number[],
  keepDims: boolean,
): ReduceLayout | undefined {
  const rank = shape.length;
  const reduced = new Set(axes.map((axis) => (axis < 0 ? axis + rank : axis)));
  const outShape: number[] = [];
  shape.forEach((size, axis) => {
    if (!reduced.has(axis)) outShape.push(size);
    else if (keepDims) outShape.push(1);
  });
  const sizes: number[] = [];
  const kinds: boolean[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const size = shape[axis] as number;
    if (size === 1) continue;
    const isReduced = reduced.has(axis);
    const last = sizes.length - 1;
    if (last >= 0 && kinds[last] === isReduced) sizes[last] = (sizes[last] as number) * size;
    else {
      sizes.push(size);
      kinds.push(isReduced);
    }
  }
  const firstReduced = kinds.indexOf(true);
  const trailingOnly =
    firstReduced === -1 || kinds.slice(firstReduced).every((isReduced) => isReduced);
  if (sizes.length > 4 || sizes.length === 0 || trailingOnly) return undefined;
  while (sizes.length < 4) {
    sizes.unshift(1);
    kinds.unshift(false);
  }
  const inputStrides = new Array<number>(4).fill(0);
  const outputStrides = new Array<number>(4).fill(0);
  let inputStride = 1;
  let outputStride = 1;
  for (let axis = 3; axis >= 0; axis--) {
    inputStrides[axis] = inputStride;
    inputStride *= sizes[axis] as number;
    if (!kinds[axis]) {
      outputStrides[axis] = outputStride;
      outputStride *= sizes[axis] as number;
    }
  }
  const reducedCount = sizes.reduce((total, size, axis) => (kinds[axis] ? total * size : total), 1);
  return {
    outShape,
    outSize: outputStride,
    reducedCount,
    sizes,
    inputStrides,
    outputStrides,
    innerReduced: kinds[3] as boolean,
  };
}

/**
 * Sum or mean of float32 `x` over the layout's reduced axes, in one SIMD pass over `x`.
 * tfjs-backend-wasm 4.22 transposes the reduced axes to the end first (a full copy) and is 4-10x
 * slower for the reductions of GroupNorm and of every bias gradient.
 *
 * @example reduceStrided(backend, Sum, dy, reduceLayout(dy.shape, [0, 1, 2], false)); // bias gradient
 */
export function reduceStrided(
  backend: WasmBackend,
  operation: ReduceOperation,
  x: tf.TensorInfo,
  layout: ReduceLayout,
): tf.TensorInfo {
  const result = allocate(backend, layout.outShape);
  const start = floatOffset(backend, result);
  heapFloats(backend).fill(0, start, start + layout.outSize);
  const kernels = simdKernels(backend);
  kernels.reduceSum(
    start * 4,
    floatOffset(backend, x) * 4,
    layout.sizes,
    layout.outputStrides.slice(0, 3).map((stride) => stride * 4),
    layout.innerReduced,
  );
  if (operation === Mean) kernels.scale(start * 4, layout.outSize, 1 / layout.reducedCount);
  return result;
}

/**
 * A wasm Sum / Mean kernel that takes float32 reductions over non-trailing axes and leaves the
 * rest to `stock`.
 *
 * @example tf.registerKernel(reduceConfig(Sum, tf.getKernel(Sum, 'wasm')));
 */
export function reduceConfig(operation: ReduceOperation, stock: tf.KernelConfig): tf.KernelConfig {
  const stockReduce = stockKernelFunc<SumInputs, SumAttrs>(stock);
  // SumInputs / SumAttrs and MeanInputs / MeanAttrs are the same types.
  const reduce = (params: KernelParams<SumInputs, SumAttrs>) => {
    const { inputs, backend, attrs } = params;
    const { x } = inputs;
    const { axis, keepDims } = attrs;
    if (!isWasmBackend(backend) || !hasSimdMemory(backend) || x.dtype !== 'float32') {
      return stockReduce(params);
    }
    const axes = Array.isArray(axis) ? axis : [axis];
    const layout = reduceLayout(x.shape, axes, keepDims);
    if (layout === undefined || layout.outSize === 0) return stockReduce(params);
    return reduceStrided(backend, operation, x, layout);
  };
  return { ...stock, kernelName: operation, kernelFunc: registeredKernelFunc(reduce) };
}
