import * as tf from '@tensorflow/tfjs-core';
import { sliceFloats } from './slice.js';
import { isWasmBackend } from './wasm-heap.js';

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
