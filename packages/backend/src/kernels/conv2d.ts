import type * as tf from '@tensorflow/tfjs-core';
import { callKernel } from './call-kernel.js';
import { type ConvolutionPadding, convolutionInfo, explicitPadding } from './convolution-info.js';

/**
 * The wasm forward Conv2D (XNNPACK), always called with an explicit padding. tfjs-backend-wasm
 * 4.22 passes `'same'` to XNNPACK as TensorFlow SAME padding, which XNNPACK rejects when a stride
 * exceeds the filter (the output is then silently zeros), and a numeric padding is sized wrongly
 * by tfjs for non-square filters or strides (overrunning the heap); the explicit padding computed
 * here (`convolutionInfo`) is right in both cases.
 *
 * @example tf.registerKernel(conv2dConfig(tf.getKernel('Conv2D', 'wasm')));
 */
export function conv2dConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const { strides, pad, dataFormat, dilations, dimRoundingMode } =
        attrs as unknown as tf.Conv2DAttrs;
      const info = convolutionInfo(
        x.shape,
        filter.shape,
        strides,
        dilations,
        pad as ConvolutionPadding,
        dimRoundingMode,
        dataFormat,
      );
      return callKernel(
        backend as never,
        'Conv2D',
        { x, filter },
        {
          strides,
          dilations,
          pad: explicitPadding(info),
          dataFormat: 'NHWC',
        },
        stock,
      );
    },
  };
}
