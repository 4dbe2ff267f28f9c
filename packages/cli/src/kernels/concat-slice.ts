import * as tf from '@tensorflow/tfjs';
import { allocate, floatOffset, heapFloats, isWasmBackend, type WasmBackend } from './wasm-heap.js';

/** Runs at least this long are copied by `copyWithin` (a native memmove); shorter by a loop. */
const NATIVE_COPY_LENGTH = 48;

/** Copies `count` floats inside the heap (the ranges do not overlap). */
function copyRun(heap: Float32Array, target: number, source: number, count: number): void {
  if (count >= NATIVE_COPY_LENGTH) {
    heap.copyWithin(target, source, source + count);
    return;
  }
  for (let i = 0; i < count; i++) heap[target + i] = heap[source + i] as number;
}

function product(values: readonly number[]): number {
  return values.reduce((total, value) => total * value, 1);
}

/**
 * Concatenation of float32 tensors along an inner axis: each output row is the inputs' rows
 * back to back, copied straight on the heap. tfjs-backend-wasm 4.22 makes a typed-array view
 * per row and input (the U-Net's skip concatenations: ~3x slower). Axis 0 (whole blocks) and other
 * dtypes stay with `stock`.
 *
 * @example tf.registerKernel(concatConfig(tf.getKernel('Concat', 'wasm')));
 */
export function concatConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.TensorInfo[];
      const backend = args.backend;
      const first = inputs[0];
      if (!isWasmBackend(backend) || first === undefined) return stock.kernelFunc(args);
      const axis = tf.util.parseAxisParam(args.attrs?.axis as number, first.shape)[0] as number;
      const parts = inputs.filter((input) => product(input.shape) > 0);
      if (
        axis === 0 ||
        parts.length < 2 ||
        parts.some((input) => input.dtype !== 'float32') ||
        product(first.shape.slice(0, axis)) === 1
      ) {
        return stock.kernelFunc(args);
      }
      const outShape = tf.backend_util.computeOutShape(
        inputs.map((input) => input.shape),
        axis,
      );
      return concatenateRows(backend, parts, outShape, axis);
    },
  };
}

function concatenateRows(
  backend: WasmBackend,
  parts: tf.TensorInfo[],
  outShape: number[],
  axis: number,
): tf.TensorInfo {
  const output = allocate(backend, outShape);
  const heap = heapFloats(backend);
  const rows = product(outShape.slice(0, axis));
  const lengths = parts.map((part) => product(part.shape.slice(axis)));
  const starts = parts.map((part) => floatOffset(backend, part));
  let target = floatOffset(backend, output);
  for (let row = 0; row < rows; row++) {
    for (let index = 0; index < parts.length; index++) {
      const length = lengths[index] as number;
      copyRun(heap, target, (starts[index] as number) + row * length, length);
      target += length;
    }
  }
  return output;
}

/**
 * `x[begin : begin + size]` of float32 `x` (any rank), copied run by run on the heap.
 * tfjs-backend-wasm 4.22 first copies all of `x` out of the heap (`readSync`) for every slice.
 *
 * @example sliceFloats(backend, x, [0, 0, 0, 64], [16, 32, 32, 32]); // the last 32 channels
 */
export function sliceFloats(
  backend: WasmBackend,
  x: tf.TensorInfo,
  begin: readonly number[],
  size: readonly number[],
): tf.TensorInfo {
  const output = allocate(backend, [...size]);
  if (product(size) === 0) return output;
  // Merge trailing axes the slice covers whole into one run.
  let rank = x.shape.length;
  while (rank > 1 && (begin[rank - 1] as number) === 0 && size[rank - 1] === x.shape[rank - 1]) {
    rank--;
  }
  const run = product(size.slice(rank - 1));
  const strides = tf.util.computeStrides(x.shape);
  const outerSizes = size.slice(0, rank - 1);
  const heap = heapFloats(backend);
  const xStart =
    floatOffset(backend, x) +
    begin.reduce((offset, start, axis) => offset + start * ((strides[axis] as number) ?? 1), 0);
  let target = floatOffset(backend, output);
  const rows = product(outerSizes);
  const index = new Array<number>(outerSizes.length).fill(0);
  for (let row = 0; row < rows; row++) {
    let source = xStart;
    for (let axis = 0; axis < index.length; axis++) {
      source += (index[axis] as number) * (strides[axis] as number);
    }
    copyRun(heap, target, source, run);
    target += run;
    for (let axis = index.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (outerSizes[axis] as number)) break;
      index[axis] = 0;
    }
  }
  return output;
}

/**
 * A wasm Slice for float32 tensors that copies runs straight on the heap (see `sliceFloats`).
 *
 * @example tf.registerKernel(sliceConfig(tf.getKernel('Slice', 'wasm')));
 */
export function sliceConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const backend = args.backend;
      if (!isWasmBackend(backend) || x.dtype !== 'float32') return stock.kernelFunc(args);
      const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
      const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [
        number[],
        number[],
      ];
      return sliceFloats(backend, x, start, extent);
    },
  };
}

/**
 * A wasm SplitV for float32 tensors, each part a `sliceFloats` (the stock kernel copies all of
 * `x` out of the heap once per part).
 *
 * @example tf.registerKernel(splitConfig(tf.getKernel('SplitV', 'wasm')));
 */
export function splitConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const backend = args.backend;
      if (!isWasmBackend(backend) || x.dtype !== 'float32') return stock.kernelFunc(args);
      const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
      const splitAxis = tf.util.parseAxisParam(axis, x.shape)[0] as number;
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, splitAxis);
      const begin = new Array<number>(x.shape.length).fill(0);
      return sizes.map((partSize) => {
        const extent = [...x.shape];
        extent[splitAxis] = partSize;
        const part = sliceFloats(backend, x, begin, extent);
        begin[splitAxis] = (begin[splitAxis] as number) + partSize;
        return part;
      });
    },
  };
}
