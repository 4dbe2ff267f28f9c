import type * as tf from '@tensorflow/tfjs-core';
import type { BinaryInputs } from '@tensorflow/tfjs-core';
import { type KernelParams, registeredKernelFunc, stockKernelFunc } from './call-kernel.js';
import { product, sameShape } from './heap-copy.js';
import { type BinaryOperation, hasSimdMemory, ROW_KIND, simdKernels } from './simd-kernels.js';
import { allocate, floatOffset, isWasmBackend, type WasmBackend } from './wasm-heap.js';

/** A broadcast reduced to at most four axes: sizes and each operand's strides (0 = broadcast). */
export interface BroadcastLayout {
  outShape: number[];
  sizes: number[];
  aStrides: number[];
  bStrides: number[];
}

/**
 * The broadcast of shapes `a` and `b`, with axes of size 1 dropped and neighbouring axes merged
 * wherever both operands run through them contiguously (or both repeat), so that the innermost
 * axis is as long as possible. `undefined` when it needs more than four axes, or when the shapes
 * do not broadcast (the stock kernel then throws tfjs's error).
 *
 * @example broadcastLayout([2, 3, 4], [1, 3, 1]).sizes; // [2, 3, 4] (b strides [0, 1, 0])
 */
export function broadcastLayout(
  aShape: readonly number[],
  bShape: readonly number[],
): BroadcastLayout | undefined {
  const rank = Math.max(aShape.length, bShape.length);
  const padded = (shape: readonly number[]) => [
    ...new Array<number>(rank - shape.length).fill(1),
    ...shape,
  ];
  const a = padded(aShape);
  const b = padded(bShape);
  if (a.some((size, axis) => size !== b[axis] && size !== 1 && b[axis] !== 1)) return undefined;
  const outShape = a.map((size, axis) => Math.max(size, b[axis] as number));
  const strides = (shape: number[]) => {
    const result = new Array<number>(rank).fill(0);
    let stride = 1;
    for (let axis = rank - 1; axis >= 0; axis--) {
      result[axis] = (shape[axis] as number) === 1 ? 0 : stride;
      stride *= shape[axis] as number;
    }
    return result;
  };
  const aAll = strides(a);
  const bAll = strides(b);
  const sizes: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const size = outShape[axis] as number;
    if (size === 1) continue;
    const last = sizes.length - 1;
    const aStride = aAll[axis] as number;
    const bStride = bAll[axis] as number;
    if (
      last >= 0 &&
      (aStrides[last] as number) === aStride * size &&
      (bStrides[last] as number) === bStride * size
    ) {
      sizes[last] = (sizes[last] as number) * size;
      aStrides[last] = aStride;
      bStrides[last] = bStride;
    } else {
      sizes.push(size);
      aStrides.push(aStride);
      bStrides.push(bStride);
    }
  }
  if (sizes.length > 4) return undefined;
  while (sizes.length < 4) {
    sizes.unshift(1);
    aStrides.unshift(0);
    bStrides.unshift(0);
  }
  return { outShape, sizes, aStrides, bStrides };
}

/**
 * `a op b` with broadcasting, in one SIMD pass over the output (rows of the layout of
 * `broadcastLayout`). tfjs-backend-wasm 4.22 hands broadcasts to XNNPACK, which calls a
 * micro-kernel per innermost run: 3-10x slower than its same-shape path when runs are short, as
 * in GroupNorm (runs of channels-per-group) and bias adds.
 *
 * @example
 * // x [n, h, w, c] times scale [c]
 * broadcastBinary(backend, Multiply, x, scale, broadcastLayout(x.shape, scale.shape) as BroadcastLayout);
 */
export function broadcastBinary(
  backend: WasmBackend,
  operation: BinaryOperation,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  layout: BroadcastLayout,
): tf.TensorInfo {
  const output = allocate(backend, layout.outShape);
  const aInner = layout.aStrides[3] as number;
  const rowKind =
    aInner === 1 && layout.bStrides[3] === 1
      ? ROW_KIND.bothRuns
      : aInner === 1
        ? ROW_KIND.aRunBValue
        : ROW_KIND.aValueBRun;
  const bytes = (strides: number[]) => strides.slice(0, 3).map((stride) => stride * 4);
  simdKernels(backend).binary(
    operation,
    floatOffset(backend, output) * 4,
    floatOffset(backend, a) * 4,
    floatOffset(backend, b) * 4,
    layout.sizes,
    bytes(layout.aStrides),
    bytes(layout.bStrides),
    rowKind,
  );
  return output;
}

/** Outputs at least this large always take the SIMD path (measured on U-Net and MLP shapes). */
const LARGE_OUTPUT = 1 << 16;
/** Inner runs shorter than this take the SIMD path at any size (XNNPACK pays per run). */
const SHORT_RUN = 16;

/**
 * A wasm binary kernel that takes the broadcasting cases of float32 operands where XNNPACK is
 * slow (large outputs, or short inner runs; neither operand a single value, which the stock
 * kernel handles fast) and leaves the rest to `stock`.
 *
 * @example tf.registerKernel(broadcastBinaryConfig(Multiply, tf.getKernel(Multiply, 'wasm')));
 */
export function broadcastBinaryConfig(
  operation: BinaryOperation,
  stock: tf.KernelConfig,
): tf.KernelConfig {
  const stockBinary = stockKernelFunc<BinaryInputs, Record<string, never>>(stock);
  const binary = (params: KernelParams<BinaryInputs, Record<string, never>>) => {
    const { inputs, backend } = params;
    const { a, b } = inputs;
    if (
      !isWasmBackend(backend) ||
      !hasSimdMemory(backend) ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      sameShape(a.shape, b.shape) ||
      product(a.shape) <= 1 ||
      product(b.shape) <= 1
    ) {
      return stockBinary(params);
    }
    const layout = broadcastLayout(a.shape, b.shape);
    const outSize = layout === undefined ? 0 : product(layout.outShape);
    // XNNPACK does well on small outputs with long inner runs (dense-layer bias adds).
    if (
      layout === undefined ||
      outSize === 0 ||
      (outSize < LARGE_OUTPUT && (layout.sizes[3] as number) >= SHORT_RUN)
    ) {
      return stockBinary(params);
    }
    return broadcastBinary(backend, operation, a, b, layout);
  };
  return { ...stock, kernelName: operation, kernelFunc: registeredKernelFunc(binary) };
}
