import { randomInteger, randomValues, relativeError, seededRandom } from '@fdistill/testing';
import { onBothBackends } from '@fdistill/testing/backend';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type ConvolutionPadding, numericPaddingMadeExplicit } from './convolution-info.js';

type Padding = ConvolutionPadding;

/** A random convolution: shapes, strides, dilations and padding. */
function randomConvolution(seed: number, options: { dilated: boolean }) {
  const random = seededRandom(seed).uniform;
  const filterHeight = randomInteger(random, 1, 4);
  const filterWidth = randomInteger(random, 1, 4);
  const dilated = options.dilated && random() < 0.7;
  const dilations: [number, number] = dilated
    ? [randomInteger(random, 1, 3), randomInteger(random, 1, 3)]
    : [1, 1];
  const strides: [number, number] = dilated
    ? [1, 1]
    : [randomInteger(random, 1, 3), randomInteger(random, 1, 3)];
  const kind = randomInteger(random, 0, 3);
  const pad: Padding =
    kind === 0
      ? 'same'
      : kind === 1
        ? 'valid'
        : kind === 2
          ? randomInteger(random, 0, 2)
          : [
              [0, 0],
              [randomInteger(random, 0, 3), randomInteger(random, 0, 3)],
              [randomInteger(random, 0, 3), randomInteger(random, 0, 3)],
              [0, 0],
            ];
  const extentHeight = (filterHeight - 1) * dilations[0] + 1;
  const extentWidth = (filterWidth - 1) * dilations[1] + 1;
  const xShape: [number, number, number, number] = [
    randomInteger(random, 1, 3),
    randomInteger(random, extentHeight, extentHeight + 7),
    randomInteger(random, extentWidth, extentWidth + 7),
    randomInteger(random, 1, 6),
  ];
  const filterShape: [number, number, number, number] = [
    filterHeight,
    filterWidth,
    xShape[3],
    randomInteger(random, 1, 6),
  ];
  const x = randomValues(
    random,
    xShape.reduce((a, b) => a * b),
  );
  const filter = randomValues(
    random,
    filterShape.reduce((a, b) => a * b),
  );
  const upstreamSeed = randomInteger(random, 0, 1e6);
  return { xShape, filterShape, strides, dilations, pad, x, filter, upstreamSeed };
}

type Convolution = ReturnType<typeof randomConvolution>;

function describeCase(c: Convolution): string {
  return `x [${c.xShape}] filter [${c.filterShape}] strides ${c.strides} dilations ${c.dilations} pad ${JSON.stringify(c.pad)}`;
}

/**
 * The padding to give the current backend: tfjs 4.22 sizes a numeric padding wrongly for
 * non-square filters or strides, which the wasm kernels fix and the cpu backend does not, so the
 * cpu reference gets the same padding in explicit form.
 */
function paddingOnBackend(pad: Padding): Padding {
  return tf.getBackend() === 'cpu' ? numericPaddingMadeExplicit(pad) : pad;
}

/** The forward output and the gradients of `sum(conv(x, w) * u)` for a fixed random `u`. */
function forwardAndGradients(c: Convolution): tf.Tensor[] {
  const x = tf.tensor4d(c.x, c.xShape);
  const filter = tf.tensor4d(c.filter, c.filterShape);
  const pad = paddingOnBackend(c.pad);
  const convolve = (input: tf.Tensor4D, weights: tf.Tensor4D) =>
    tf.conv2d(input, weights, c.strides, pad, 'NHWC', c.dilations);
  const output = convolve(x, filter);
  const upstream = tf.randomUniform(output.shape, -1, 1, 'float32', c.upstreamSeed);
  if (c.dilations[0] > 1 || c.dilations[1] > 1) return [output];
  const gradients = tf.grads((input: tf.Tensor, weights: tf.Tensor) =>
    tf.sum(tf.mul(convolve(input as tf.Tensor4D, weights as tf.Tensor4D), upstream)),
  )([x, filter]);
  return [output, ...gradients];
}

describe('wasm convolution kernels against the cpu backend', () => {
  it('forward, input gradient and filter gradient agree on random shapes, strides and paddings', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const c = randomConvolution(seed, { dilated: false });
      const { cpu, wasm } = await onBothBackends(() => forwardAndGradients(c));
      const names = ['forward', 'input gradient', 'filter gradient'];
      cpu.forEach((reference, index) => {
        const error = relativeError(reference, wasm[index] as Float32Array);
        expect(error, `${names[index]}: ${describeCase(c)}`).toBeLessThan(1e-5);
      });
    }
  });

  it('forward agrees with dilations', async () => {
    for (let seed = 101; seed <= 130; seed++) {
      const c = randomConvolution(seed, { dilated: true });
      const { cpu, wasm } = await onBothBackends(() => forwardAndGradients(c));
      cpu.forEach((reference, index) => {
        const error = relativeError(reference, wasm[index] as Float32Array);
        expect(error, describeCase(c)).toBeLessThan(1e-5);
      });
    }
  });

  it('conv2dTranspose (Conv2DBackpropInput alone) agrees with explicit output shapes', async () => {
    for (let seed = 201; seed <= 260; seed++) {
      const c = randomConvolution(seed, { dilated: false });
      // conv2dTranspose takes same, valid or a number; the cpu reference is right for a number
      // only with a square filter and strides (see paddingOnBackend).
      const square = c.filterShape[0] === c.filterShape[1] && c.strides[0] === c.strides[1];
      if (typeof c.pad === 'object' || (typeof c.pad === 'number' && !square)) continue;
      const { cpu, wasm } = await onBothBackends(() => {
        const filter = tf.tensor4d(c.filter, c.filterShape);
        const outputShape = tf.conv2d(
          tf.zeros(c.xShape) as tf.Tensor4D,
          filter,
          c.strides,
          c.pad as 'same',
        ).shape;
        const dy = tf.randomUniform(outputShape, -1, 1, 'float32', c.upstreamSeed) as tf.Tensor4D;
        return tf.conv2dTranspose(dy, filter, c.xShape, c.strides, c.pad as 'same');
      });
      expect(
        relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array),
        describeCase(c),
      ).toBeLessThan(1e-5);
    }
  });

  it('handles the U-Net and discriminator-head shapes', async () => {
    const cases: Convolution[] = [
      { kernel: 3, stride: 1, size: 16, channels: 8, pad: 'same' as Padding },
      { kernel: 3, stride: 2, size: 16, channels: 8, pad: 'same' as Padding },
      { kernel: 1, stride: 1, size: 8, channels: 8, pad: 'same' as Padding },
      { kernel: 4, stride: 2, size: 16, channels: 8, pad: 1 as Padding },
      { kernel: 4, stride: 4, size: 4, channels: 8, pad: 0 as Padding },
    ].map(({ kernel, stride, size, channels, pad }, index) => {
      const random = seededRandom(300 + index).uniform;
      const xShape: [number, number, number, number] = [3, size, size, channels];
      const filterShape: [number, number, number, number] = [kernel, kernel, channels, channels];
      return {
        xShape,
        filterShape,
        strides: [stride, stride],
        dilations: [1, 1],
        pad,
        x: randomValues(random, 3 * size * size * channels),
        filter: randomValues(random, kernel * kernel * channels * channels),
        upstreamSeed: index,
      };
    });
    for (const c of cases) {
      const { cpu, wasm } = await onBothBackends(() => forwardAndGradients(c));
      cpu.forEach((reference, index) => {
        expect(relativeError(reference, wasm[index] as Float32Array), describeCase(c)).toBeLessThan(
          1e-5,
        );
      });
    }
  });
});
