import { bothGradientPasses, expectClose } from '@fdistill/testing/backend';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uninstallLeanGradients } from './lean-gradients.js';

/** A custom op whose gradient function hands back its dy unchanged (the gradient of identity). */
const passThrough = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return { value: tf.mul(x as tf.Tensor, 1), gradFunc: (dy) => dy as tf.Tensor };
});

/** A custom op whose gradient function hands back one of its saved tensors (ones, whatever dy is). */
const savedAsGradient = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([tf.onesLike(x as tf.Tensor)]);
  return {
    value: tf.mul(x as tf.Tensor, 2),
    gradFunc: (_dy, saved) => (saved as tf.Tensor[])[0] as tf.Tensor,
  };
});

describe('installLeanGradients', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => {
    uninstallLeanGradients();
  });

  it("gives tfjs's gradients for shared inputs, broadcasting, a matmul and custom ops that return their dy or a saved tensor", async () => {
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 1);
    const w = tf.variable(tf.randomNormal([5, 4], 0, 1, 'float32', 2));
    const b = tf.variable(tf.randomNormal([4], 0, 1, 'float32', 3));
    const { tfjs, lean } = await bothGradientPasses(() => {
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.add(tf.matMul(x, w), b);
        const shared = passThrough(savedAsGradient(tf.sigmoid(h)));
        return tf.sum(tf.mul(tf.mul(shared, shared), tf.sin(h))) as tf.Scalar;
      }, [w, b]);
      return [value, grads[w.name] as tf.Tensor, grads[b.name] as tf.Tensor];
    });
    expectClose(lean.values, tfjs.values);
    expect(lean.leaked).toBe(0);
    expect(tfjs.leaked).toBe(0);
    tf.dispose([x, w, b]);
  });

  it("gives tfjs's second derivatives (a gradient of a gradient keeps its tape)", async () => {
    const x = tf.randomNormal([7], 0, 1, 'float32', 4);
    const { tfjs, lean } = await bothGradientPasses(() => {
      const first = (input: tf.Tensor) =>
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.sin(v), v)))(input);
      const second = tf.grad((v: tf.Tensor) => tf.sum(tf.square(first(v))))(x);
      return [second];
    });
    expectClose(lean.values, tfjs.values);
    expect(lean.leaked).toBe(0);
    tf.dispose(x);
  });

  it('frees saved tensors and gradients during the backward pass: a deep chain holds far fewer buffers', async () => {
    const input = tf.variable(tf.randomNormal([256, 1024], 0, 1, 'float32', 5));
    // The last gradient function of the backward pass counts the live data buffers (1 MB each).
    let buffersAtTheEnd = 0;
    const probe = tf.customGrad((x) => ({
      value: tf.mul(x as tf.Tensor, 1),
      gradFunc: (dy) => {
        buffersAtTheEnd = tf.memory().numDataBuffers;
        return tf.mul(dy as tf.Tensor, 1);
      },
    }));
    const chain = () => {
      const { value, grads } = tf.variableGrads(() => {
        let h = probe(input) as tf.Tensor;
        for (let layer = 0; layer < 12; layer++) h = tf.mul(tf.sin(h), 1.01);
        return tf.sum(h) as tf.Scalar;
      }, [input]);
      return [value, grads[input.name] as tf.Tensor];
    };
    const buffers: number[] = [];
    const { tfjs, lean } = await bothGradientPasses(() => {
      const result = chain();
      buffers.push(buffersAtTheEnd);
      return result;
    });
    expectClose(lean.values, tfjs.values);
    const [tfjsBuffers, leanBuffers] = buffers as [number, number];
    // tfjs still holds the chain's 24 saved tensors and a gradient per op; the lean pass holds
    // the current gradient and the probe's input.
    expect(tfjsBuffers - leanBuffers).toBeGreaterThan(30);
    expect(lean.leaked).toBe(0);
    input.dispose();
  });
});
