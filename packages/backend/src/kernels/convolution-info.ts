import * as tf from '@tensorflow/tfjs-core';

/** The padding argument of the Conv2D kernels. */
export type ConvolutionPadding = tf.Conv2DAttrs['pad'];

/** The attributes the two Conv2D gradient kernels share. */
export type ConvolutionGradientAttrs = Pick<
  tf.Conv2DBackpropFilterAttrs,
  'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'
>;

/**
 * `tf.backend_util.computeConv2DInfo` for NHWC tensors, with a numeric padding first made
 * explicit: tfjs 4.22 sizes a numeric padding's output width with the filter height and the row
 * stride, which is wrong for non-square filters or strides (and, on wasm, overruns the heap).
 * Throws for NCHW, which the wasm kernels do not support.
 *
 * @example convolutionInfo([1, 8, 8, 3], [3, 3, 3, 4], 2, 1, 'same').outHeight; // 4
 */
export function convolutionInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: ConvolutionPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
): tf.backend_util.Conv2DInfo {
  if (dataFormat !== 'NHWC') {
    throw new Error(`the wasm convolution kernels support NHWC only, got ${dataFormat}`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    numericPaddingMadeExplicit(pad),
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * A numeric padding `p` as the explicit `[[0, 0], [p, p], [p, p], [0, 0]]`; other paddings as given.
 *
 * @example numericPaddingMadeExplicit(1); // [[0, 0], [1, 1], [1, 1], [0, 0]]
 */
export function numericPaddingMadeExplicit(pad: ConvolutionPadding): ConvolutionPadding {
  return typeof pad === 'number'
    ? [
        [0, 0],
        [pad, pad],
        [pad, pad],
        [0, 0],
      ]
    : pad;
}

/**
 * `convolutionInfo` of the forward convolution a gradient kernel (dilation 1) differentiates.
 *
 * @example gradientConvolutionInfo(x.shape, [3, 3, 8, 16], { strides: 1, pad: 'same', dataFormat: 'NHWC' });
 */
export function gradientConvolutionInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvolutionGradientAttrs,
): tf.backend_util.Conv2DInfo {
  const { strides, pad, dimRoundingMode, dataFormat } = attrs;
  return convolutionInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, dataFormat);
}

/**
 * The explicit padding of a resolved convolution, in the form the Conv2D kernel takes.
 *
 * @example explicitPadding(convolutionInfo([1, 8, 8, 3], [3, 3, 3, 4], 1, 1, 'same')); // [[0,0],[1,1],[1,1],[0,0]]
 */
export function explicitPadding(info: tf.backend_util.Conv2DInfo): tf.backend_util.ExplicitPadding {
  const { top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
