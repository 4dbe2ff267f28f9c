import type * as tf from '@tensorflow/tfjs-core';
import {
  Conv2D,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
} from '@tensorflow/tfjs-core';
import { callKernel, type KernelParams, registeredKernelFunc } from './call-kernel.js';
import { gradientConvolutionInfo } from './convolution-info.js';
import { multiplyInto, tensorId } from './matrix-product.js';
import type { WasmBackend } from './wasm-heap.js';
import { allocate, floatOffset, heapFloats, isWasmBackend, release } from './wasm-heap.js';

/**
 * The input gradient of a 2-D convolution (NHWC) on wasm, replacing tfjs-backend-wasm's direct
 * loop (about 10x slower than its forward convolution):
 *
 * - stride 1: the forward convolution of `dy` with the filter flipped in space and transposed in
 *   channels, padded by `k - 1 - pad`, on the backend's XNNPACK Conv2D;
 * - other strides (or a padding wider than the filter): `dcols = dy W^T` on XNNPACK, then each
 *   column is added back to the input position it came from (col2im), in one pass.
 *
 * The forward Conv2D kernel used for stride 1 is the one registered when this kernel is made
 * (`conv2dBackpropInputConfig(tf.getKernel(Conv2D, 'wasm'))`).
 *
 * @example tf.registerKernel(conv2dBackpropInputConfig(tf.getKernel(Conv2D, 'wasm')));
 */
export function conv2dBackpropInputConfig(
  forwardConvolution: tf.KernelConfig | undefined,
): tf.KernelConfig {
  const conv2dBackpropInput = ({
    inputs,
    backend,
    attrs,
  }: KernelParams<Conv2DBackpropInputInputs, Conv2DBackpropInputAttrs>): tf.TensorInfo => {
    if (!isWasmBackend(backend)) throw new Error(`${Conv2DBackpropInput}: not the wasm backend`);
    const { dy, filter } = inputs;
    const info = gradientConvolutionInfo(attrs.inputShape, filter.shape, attrs);
    return conv2dInputGradient(backend, dy, filter, info, forwardConvolution);
  };
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: registeredKernelFunc(conv2dBackpropInput),
  };
}

/**
 * `conv2dBackpropInputConfig`'s computation for a resolved convolution (dilation 1).
 *
 * @example conv2dInputGradient(backend, dy, filter, convolutionInfo(xShape, filter.shape, 2, 1, 'same'), stockConv2D);
 */
export function conv2dInputGradient(
  backend: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  forwardConvolution: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const transposedTop = filterHeight - 1 - padInfo.top;
  const transposedLeft = filterWidth - 1 - padInfo.left;
  // Output rows: outHeight + top' + bottom' - (filterHeight - 1) = inHeight.
  const transposedBottom = info.inHeight - info.outHeight - transposedTop + filterHeight - 1;
  const transposedRight = info.inWidth - info.outWidth - transposedLeft + filterWidth - 1;
  const size = info.batchSize * info.outHeight * info.outWidth;
  if (
    forwardConvolution !== undefined &&
    strideHeight === 1 &&
    strideWidth === 1 &&
    size > 0 &&
    Math.min(transposedTop, transposedLeft, transposedBottom, transposedRight) >= 0
  ) {
    const flipped = flippedFilter(backend, filter, info);
    try {
      return callKernel(
        backend,
        Conv2D,
        { x: dy, filter: flipped },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [transposedTop, transposedBottom],
            [transposedLeft, transposedRight],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
        },
        forwardConvolution,
      );
    } finally {
      release(backend, flipped);
    }
  }
  return columnsToImage(backend, dy, filter, info);
}

/** `W[kh, kw, ci, co]` -> `W'[KH-1-kh, KW-1-kw, co, ci]` in one pass (filters are small). */
function flippedFilter(
  backend: WasmBackend,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { filterHeight, filterWidth, inChannels, outChannels } = info;
  const flipped = allocate(backend, [filterHeight, filterWidth, outChannels, inChannels]);
  const heap = heapFloats(backend);
  const source = floatOffset(backend, filter);
  const target = floatOffset(backend, flipped);
  const tapSize = inChannels * outChannels;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      const from = source + (kh * filterWidth + kw) * tapSize;
      const to =
        target + ((filterHeight - 1 - kh) * filterWidth + (filterWidth - 1 - kw)) * tapSize;
      for (let ci = 0; ci < inChannels; ci++) {
        for (let co = 0; co < outChannels; co++) {
          heap[to + co * inChannels + ci] = heap[from + ci * outChannels + co] as number;
        }
      }
    }
  }
  return flipped;
}

/** Any stride: `dcols [N OH OW, KH KW CI] = dy W^T` on XNNPACK, then col2im in one pass. */
function columnsToImage(
  backend: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const patchSize = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const output = allocate(backend, [batchSize, inHeight, inWidth, inChannels]);
  const outputSize = batchSize * inHeight * inWidth * inChannels;
  if (positions === 0 || patchSize * outChannels === 0) {
    const start = floatOffset(backend, output);
    heapFloats(backend).fill(0, start, start + outputSize);
    return output;
  }
  const filterT = allocate(backend, [outChannels, patchSize]);
  const columns = allocate(backend, [positions, patchSize]);
  try {
    let heap = heapFloats(backend);
    const filterStart = floatOffset(backend, filter);
    const filterTStart = floatOffset(backend, filterT);
    for (let k = 0; k < patchSize; k++) {
      for (let co = 0; co < outChannels; co++) {
        heap[filterTStart + co * patchSize + k] = heap[
          filterStart + k * outChannels + co
        ] as number;
      }
    }
    multiplyInto(
      backend,
      tensorId(backend, dy),
      tensorId(backend, filterT),
      tensorId(backend, columns),
      positions,
      outChannels,
      patchSize,
    );
    heap = heapFloats(backend);
    const target = floatOffset(backend, output);
    heap.fill(0, target, target + outputSize);
    let source = floatOffset(backend, columns);
    for (let n = 0; n < batchSize; n++) {
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          for (let kh = 0; kh < filterHeight; kh++) {
            const ih = oh * strideHeight + kh - padInfo.top;
            if (ih < 0 || ih >= inHeight) {
              source += filterWidth * inChannels;
              continue;
            }
            for (let kw = 0; kw < filterWidth; kw++) {
              const iw = ow * strideWidth + kw - padInfo.left;
              if (iw < 0 || iw >= inWidth) {
                source += inChannels;
                continue;
              }
              let to = target + ((n * inHeight + ih) * inWidth + iw) * inChannels;
              for (let ci = 0; ci < inChannels; ci++) {
                heap[to] = (heap[to] as number) + (heap[source++] as number);
                to++;
              }
            }
          }
        }
      }
    }
  } finally {
    release(backend, columns);
    release(backend, filterT);
  }
  return output;
}
