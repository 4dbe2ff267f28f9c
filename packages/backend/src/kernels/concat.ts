import * as tf from '@tensorflow/tfjs-core';
import { Concat, type ConcatAttrs, type ConcatInputs } from '@tensorflow/tfjs-core';
import { type KernelParams, registeredKernelFunc, stockKernelFunc } from './call-kernel.js';
import { copyRun, product } from './heap-copy.js';
import { allocate, floatOffset, heapFloats, isWasmBackend, type WasmBackend } from './wasm-heap.js';

/**
 * Concatenation of float32 tensors along an inner axis: each output row is the inputs' rows
 * back to back, copied straight on the heap. tfjs-backend-wasm 4.22 makes a typed-array view
 * per row and input (the U-Net's skip concatenations: ~3x slower). Axis 0 (whole blocks) and other
 * dtypes stay with `stock`.
 *
 * @example tf.registerKernel(concatConfig(tf.getKernel(Concat, 'wasm')));
 */
export function concatConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const stockConcat = stockKernelFunc<ConcatInputs, ConcatAttrs>(stock);
  const concat = (params: KernelParams<ConcatInputs, ConcatAttrs>) => {
    const { inputs, backend, attrs } = params;
    const first = inputs[0];
    if (!isWasmBackend(backend) || first === undefined) return stockConcat(params);
    const axis = tf.util.parseAxisParam(attrs.axis, first.shape)[0] as number;
    const parts = inputs.filter((input) => product(input.shape) > 0);
    // Shapes that differ off the axis go to the stock kernel, which throws tfjs's error.
    const offAxis = (shape: readonly number[]) => shape.filter((_, index) => index !== axis).join();
    if (
      axis === 0 ||
      inputs.some((input) => offAxis(input.shape) !== offAxis(first.shape)) ||
      parts.length < 2 ||
      parts.some((input) => input.dtype !== 'float32') ||
      product(first.shape.slice(0, axis)) === 1
    ) {
      return stockConcat(params);
    }
    const outShape = tf.backend_util.computeOutShape(
      inputs.map((input) => input.shape),
      axis,
    );
    return concatenateRows(backend, parts, outShape, axis);
  };
  return { ...stock, kernelName: Concat, kernelFunc: registeredKernelFunc(concat) };
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
