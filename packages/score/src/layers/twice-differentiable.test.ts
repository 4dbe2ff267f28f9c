import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { twiceDifferentiableSilu, twiceDifferentiableSoftmax } from './twice-differentiable.js';

type Activation = (x: tf.Tensor) => tf.Tensor;

/**
 * The gradient w.r.t. `w` of `R(w) = sum((d/dx sum(g(activation(w * x))))^2)`, which needs a
 * second derivative (like an exact R1 penalty), by tfjs autodiff and by central differences.
 */
function secondOrderCheck(activation: Activation): { autodiff: number[]; finite: number[] } {
  const x = tf.randomNormal([6], 0, 1.5, 'float32', 11);
  const weights = tf.tensor1d([0.5, -1, 1.5, 2, -0.3, 1.1]);
  const readout = tf.tensor1d([1, -2, 0.5, 3, 1, -1]);
  const penalty = (w: tf.Tensor) =>
    tf.sum(
      tf.square(
        tf.grad((input: tf.Tensor) =>
          tf.sum(tf.mul(tf.square(activation(tf.reshape(tf.mul(input, w), [1, 6]))), readout)),
        )(x),
      ),
    ) as tf.Scalar;
  const autodiff = Array.from(tf.grad(penalty)(weights).dataSync());
  const step = 1e-2;
  const finite = autodiff.map((_, index) =>
    tf.tidy(() => {
      const shift = tf.mul(tf.oneHot(index, 6), step);
      const up = penalty(tf.add(weights, shift)).dataSync()[0] as number;
      const down = penalty(tf.sub(weights, shift)).dataSync()[0] as number;
      return (up - down) / (2 * step);
    }),
  );
  tf.dispose([x, weights, readout]);
  return { autodiff, finite };
}

function worstRelativeError({ autodiff, finite }: { autodiff: number[]; finite: number[] }) {
  const scale = Math.max(...finite.map(Math.abs));
  return (
    Math.max(...autodiff.map((value, index) => Math.abs(value - (finite[index] as number)))) / scale
  );
}

describe('twice-differentiable activations', () => {
  it('equal tfjs silu and softmax in value and first derivative', () => {
    const x = tf.randomNormal([4, 5], 0, 3, 'float32', 1);
    const builtinSilu = (input: tf.Tensor) => tf.mul(input, tf.sigmoid(input));
    for (const [ours, builtin] of [
      [twiceDifferentiableSilu, builtinSilu],
      [twiceDifferentiableSoftmax, tf.softmax],
    ] as Array<[Activation, Activation]>) {
      const weights = tf.randomNormal([4, 5], 0, 1, 'float32', 2);
      const loss = (f: Activation) => (input: tf.Tensor) => tf.sum(tf.mul(f(input), weights));
      const values = [ours(x), builtin(x), tf.grad(loss(ours))(x), tf.grad(loss(builtin))(x)];
      expect(
        tf.max(tf.abs(tf.sub(values[0] as tf.Tensor, values[1] as tf.Tensor))).dataSync()[0],
      ).toBeLessThan(1e-6);
      expect(
        tf.max(tf.abs(tf.sub(values[2] as tf.Tensor, values[3] as tf.Tensor))).dataSync()[0],
      ).toBeLessThan(1e-5);
    }
  });

  it('have exact second derivatives, where tf.sigmoid and tf.softmax do not', () => {
    // Central differences in float32 with step 1e-2: agreement to ~1e-3 of the largest entry.
    expect(worstRelativeError(secondOrderCheck(twiceDifferentiableSilu))).toBeLessThan(5e-3);
    expect(worstRelativeError(secondOrderCheck(twiceDifferentiableSoftmax))).toBeLessThan(5e-3);
    // tfjs 4.22 gets these wrong (their gradients read a saved output cut from the tape). If this
    // starts failing, tfjs has fixed it and the custom ops are no longer needed.
    const builtinSilu = (input: tf.Tensor) => tf.mul(input, tf.sigmoid(input));
    expect(worstRelativeError(secondOrderCheck(builtinSilu))).toBeGreaterThan(0.05);
    expect(worstRelativeError(secondOrderCheck(tf.softmax))).toBeGreaterThan(0.05);
  });

  it('reject non-tensors', () => {
    expect(() => twiceDifferentiableSilu([1] as never)).toThrow('x must be a tf.Tensor');
    expect(() => twiceDifferentiableSoftmax(1 as never)).toThrow('x must be a tf.Tensor');
  });
});
