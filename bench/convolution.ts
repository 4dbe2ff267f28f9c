import * as tf from '@tensorflow/tfjs';
import type { ConvolutionShape } from './cases.js';

/** The three kernels of a convolution's training, on fixed seeded inputs. */
export interface ConvolutionKernels {
  /** `Conv2D` of the input with the filter. */
  forward(): tf.Tensor;
  /** `Conv2DBackpropInput`: the input's gradient for a fixed output gradient. */
  inputGradient(): tf.Tensor;
  /** `Conv2DBackpropFilter`: the filter's gradient for the same output gradient. */
  filterGradient(): tf.Tensor;
  /** Frees the inputs. */
  dispose(): void;
}

/**
 * The forward pass and both gradients of the convolution `shape`, each a call of one kernel on
 * seeded inputs (the same values in every process), through whatever kernels are registered for
 * the current backend.
 *
 * @example
 * const kernels = convolutionKernels(CONVOLUTION_SHAPES[0] as ConvolutionShape);
 * tf.dispose(kernels.forward());
 */
export function convolutionKernels(shape: ConvolutionShape): ConvolutionKernels {
  const x = tf.randomNormal(
    [shape.batch, shape.size, shape.size, shape.inChannels],
    0,
    1,
    'float32',
    1,
  );
  const filter = tf.randomNormal(
    [shape.kernel, shape.kernel, shape.inChannels, shape.outChannels],
    0,
    1,
    'float32',
    2,
  );
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [shape.padding, shape.padding],
    [shape.padding, shape.padding],
    [0, 0],
  ];
  const strides: [number, number] = [shape.stride, shape.stride];
  const forward = () => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad);
  const y = forward();
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
  const attrs = { strides, pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
  return {
    forward,
    inputGradient: () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter },
          { ...attrs, inputShape: x.shape },
        ) as tf.Tensor,
    filterGradient: () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { ...attrs, filterShape: filter.shape },
        ) as tf.Tensor,
    dispose: () => tf.dispose([x, filter, y, dy]),
  };
}
