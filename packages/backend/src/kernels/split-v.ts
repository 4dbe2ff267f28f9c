import * as tf from '@tensorflow/tfjs-core';
import { SplitV, type SplitVAttrs } from '@tensorflow/tfjs-core';
import { heapCopyKernelConfig } from './heap-copy.js';
import { sliceFloats } from './slice.js';

/**
 * A wasm SplitV for float32 tensors, each part a `sliceFloats` (the stock kernel copies all of
 * `x` out of the heap once per part).
 *
 * @example tf.registerKernel(splitConfig(tf.getKernel(SplitV, 'wasm')));
 */
export function splitConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return heapCopyKernelConfig<SplitVAttrs>(SplitV, stock, (backend, x, attrs) => {
    const { numOrSizeSplits, axis } = attrs;
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
  });
}
