import * as tf from '@tensorflow/tfjs-core';
import { Slice, type SliceAttrs } from '@tensorflow/tfjs-core';
import { copyRun, heapCopyKernelConfig, product } from './heap-copy.js';
import { allocate, floatOffset, heapFloats, type WasmBackend } from './wasm-heap.js';

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
 * @example tf.registerKernel(sliceConfig(tf.getKernel(Slice, 'wasm')));
 */
export function sliceConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return heapCopyKernelConfig<SliceAttrs>(Slice, stock, (backend, x, { begin, size }) => {
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [
      number[],
      number[],
    ];
    return sliceFloats(backend, x, start, extent);
  });
}
