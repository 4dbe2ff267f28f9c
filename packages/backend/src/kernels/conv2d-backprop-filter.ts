import type * as tf from '@tensorflow/tfjs-core';
import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  PadV2,
  Transpose,
} from '@tensorflow/tfjs-core';
import { callKernel, type KernelParams, registeredKernelFunc } from './call-kernel.js';
import { gradientConvolutionInfo } from './convolution-info.js';
import { HeapViews, multiplyInto, tensorId } from './matrix-product.js';
import type { WasmBackend } from './wasm-heap.js';
import { allocate, floatOffset, heapFloats, isWasmBackend, release } from './wasm-heap.js';

/**
 * The filter gradient of a 2-D convolution (NHWC), `dW[kh, kw, ci, co] = sum over n, oh, ow of
 * x[n, oh*sh + kh - top, ow*sw + kw - left, ci] * dy[n, oh, ow, co]`, as one matrix product per
 * filter tap on XNNPACK, with no im2col matrix:
 *
 * - `x` is rearranged once, channel-major and split by stride phase: plane `(rh, rw)` holds
 *   `x[n, hq*sh + rh - top, wq*sw + rw - left, ci]` at row `ci`, column `(n, hq, wq)` of an
 *   `[N, EH, EW]` grid (zeros outside `x`), `EH = OH + (KH-1)/sh`, `EW = OW + (KW-1)/sw`;
 * - `dy` is zero-padded to the same `[N, EH, EW]` grid;
 * - tap `(kh, kw)` reads plane `(kh % sh, kw % sw)` shifted by `(kh/sh) EW + kw/sw` columns, so
 *   its gradient `[CI, CO]` is the product of a `[CI, N EH EW]` window of the planes with the
 *   padded `dy` `[N EH EW, CO]`: every window position that wraps into the next row, image or
 *   channel meets a zero of the padded `dy`.
 *
 * XNNPACK packs the padded `dy` once for all taps. For stride 1 the planes are `x` transposed
 * and padded by the backend's own kernels; other strides are rearranged in one JavaScript pass.
 *
 * @example
 * tf.registerKernel(conv2dBackpropFilterConfig); // for 'wasm'
 * tf.conv2d(x, w, 1, 'same'); // its gradient with respect to w now runs on wasm
 */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: registeredKernelFunc(conv2dBackpropFilter),
};

function conv2dBackpropFilter({
  inputs,
  backend,
  attrs,
}: KernelParams<Conv2DBackpropFilterInputs, Conv2DBackpropFilterAttrs>): tf.TensorInfo {
  if (!isWasmBackend(backend)) throw new Error(`${Conv2DBackpropFilter}: not the wasm backend`);
  const { x, dy } = inputs;
  return conv2dFilterGradient(
    backend,
    x,
    dy,
    gradientConvolutionInfo(x.shape, attrs.filterShape, attrs),
  );
}

/**
 * `conv2dBackpropFilterConfig`'s computation for a resolved convolution (dilation 1).
 *
 * @example conv2dFilterGradient(backend, x, dy, convolutionInfo(x.shape, [3, 3, 8, 16], 1, 1, 'same'));
 */
export function conv2dFilterGradient(
  backend: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { filterHeight, filterWidth, inChannels, outChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, batchSize } = info;
  const output = allocate(backend, [filterHeight, filterWidth, inChannels, outChannels]);
  if (batchSize * outHeight * outWidth === 0 || inChannels * outChannels === 0) {
    const start = floatOffset(backend, output);
    heapFloats(backend).fill(
      0,
      start,
      start + filterHeight * filterWidth * inChannels * outChannels,
    );
    return output;
  }
  const extraHeight = Math.floor((filterHeight - 1) / strideHeight);
  const extraWidth = Math.floor((filterWidth - 1) / strideWidth);
  const gridHeight = outHeight + extraHeight;
  const gridWidth = outWidth + extraWidth;
  const columns = batchSize * gridHeight * gridWidth;
  const planes = inputPlanes(backend, x, info, gridHeight, gridWidth);
  const paddedDy =
    extraHeight === 0 && extraWidth === 0
      ? dy
      : callKernel(
          backend,
          PadV2,
          { x: dy },
          {
            paddings: [
              [0, 0],
              [0, extraHeight],
              [0, extraWidth],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
  const views = new HeapViews(backend);
  try {
    const planesStart = floatOffset(backend, planes);
    const outputStart = floatOffset(backend, output);
    const dyId = tensorId(backend, paddedDy);
    const planeSize = inChannels * columns;
    const tapSize = inChannels * outChannels;
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        const phase = (kh % strideHeight) * strideWidth + (kw % strideWidth);
        const shift = Math.floor(kh / strideHeight) * gridWidth + Math.floor(kw / strideWidth);
        const window = views.view(planesStart + phase * planeSize + shift, planeSize);
        const tap = views.view(outputStart + (kh * filterWidth + kw) * tapSize, tapSize);
        multiplyInto(backend, window, dyId, tap, inChannels, columns, outChannels);
      }
    }
  } finally {
    views.releaseAll();
    release(backend, planes);
    if (paddedDy !== dy) release(backend, paddedDy);
  }
  return output;
}

/**
 * The planes [CI, N, EH, EW] of `x`, one per stride phase, with a zero tail for the last window's
 * overrun. Stride 1: `x` transposed to [CI, N, H, W] and padded to [CI + 1, N, EH, EW] (the extra
 * zero channel is the tail) by the backend's own kernels. Any stride: `sh * sw` planes written in
 * one pass over `x` (zeros elsewhere), then one zero plane-row's worth of tail.
 */
function inputPlanes(
  backend: WasmBackend,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  gridHeight: number,
  gridWidth: number,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, strideHeight, strideWidth } = info;
  const { top, bottom, left, right } = info.padInfo;
  if (strideHeight === 1 && strideWidth === 1 && Math.min(top, bottom, left, right) >= 0) {
    const transposed = callKernel(backend, Transpose, { x }, { perm: [3, 0, 1, 2] });
    try {
      return callKernel(
        backend,
        PadV2,
        { x: transposed },
        {
          paddings: [
            [0, 1],
            [0, 0],
            [top, gridHeight - inHeight - top],
            [left, gridWidth - inWidth - left],
          ],
          constantValue: 0,
        },
      );
    } finally {
      release(backend, transposed);
    }
  }
  const columns = batchSize * gridHeight * gridWidth;
  const planeSize = inChannels * columns;
  const size = strideHeight * strideWidth * planeSize + gridHeight * gridWidth;
  const planes = allocate(backend, [size]);
  const heap = heapFloats(backend);
  const start = floatOffset(backend, planes);
  heap.fill(0, start, start + size);
  const xStart = floatOffset(backend, x);
  for (let n = 0; n < batchSize; n++) {
    for (let ih = 0; ih < inHeight; ih++) {
      const paddedRow = ih + top;
      const rowPhase = paddedRow % strideHeight;
      const gridRow = (paddedRow - rowPhase) / strideHeight;
      if (gridRow >= gridHeight) continue;
      const rowStart = (n * gridHeight + gridRow) * gridWidth;
      for (let iw = 0; iw < inWidth; iw++) {
        const paddedColumn = iw + left;
        const columnPhase = paddedColumn % strideWidth;
        const gridColumn = (paddedColumn - columnPhase) / strideWidth;
        if (gridColumn >= gridWidth) continue;
        let target =
          start + (rowPhase * strideWidth + columnPhase) * planeSize + rowStart + gridColumn;
        let source = xStart + ((n * inHeight + ih) * inWidth + iw) * inChannels;
        for (let ci = 0; ci < inChannels; ci++) {
          heap[target] = heap[source++] as number;
          target += columns;
        }
      }
    }
  }
  return planes;
}
