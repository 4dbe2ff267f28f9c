import type * as tf from '@tensorflow/tfjs-core';
import { Conv2D, type Conv2DAttrs, type Conv2DInputs } from '@tensorflow/tfjs-core';
import {
  callKernel,
  type KernelParams,
  registeredKernelFunc,
  stockKernelFunc,
} from './call-kernel.js';
import { convolutionInfo, explicitPadding } from './convolution-info.js';
import { isWasmBackend } from './wasm-heap.js';

/**
 * The wasm forward Conv2D (XNNPACK), always called with an explicit padding. tfjs-backend-wasm
 * 4.22 passes `'same'` to XNNPACK as TensorFlow SAME padding, which XNNPACK rejects when a stride
 * exceeds the filter (the output is then silently zeros), and a numeric padding is sized wrongly
 * by tfjs for non-square filters or strides (overrunning the heap); the explicit padding computed
 * here (`convolutionInfo`) is right in both cases.
 *
 * @example tf.registerKernel(conv2dConfig(tf.getKernel(Conv2D, 'wasm')));
 */
export function conv2dConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const stockConv2d = stockKernelFunc<Conv2DInputs, Conv2DAttrs>(stock);
  const conv2d = (params: KernelParams<Conv2DInputs, Conv2DAttrs>): tf.TensorInfo => {
    const { inputs, backend, attrs } = params;
    if (!isWasmBackend(backend)) return stockConv2d(params) as tf.TensorInfo;
    const { x, filter } = inputs;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
    const info = convolutionInfo(
      x.shape,
      filter.shape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      dataFormat,
    );
    return callKernel(
      backend,
      Conv2D,
      { x, filter },
      { strides, dilations, pad: explicitPadding(info), dataFormat: 'NHWC' },
      stock,
    );
  };
  return { ...stock, kernelName: Conv2D, kernelFunc: registeredKernelFunc(conv2d) };
}
