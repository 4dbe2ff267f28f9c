import * as tf from '@tensorflow/tfjs-core';

/**
 * Why this file exists: tfjs computes second derivatives (`tf.grad` inside `tf.variableGrads`,
 * as the exact R1 penalty needs) by differentiating each op's gradient function. The gradients
 * of `Sigmoid`, `Tanh`, `Exp`, `Softmax`, `LogSoftmax` and `Elu` read the op's saved OUTPUT,
 * and tfjs saves outputs as copies that are cut from the tape (the copy is recorded before the
 * op that makes the output), so a second derivative through them is silently wrong. Gradients
 * that read their saved INPUTS (softplus, matMul, conv2d, add, mul, ...) are correct.
 *
 * The activations below recompute their derivative from the saved input, so every derivative
 * up to the second is exact. The U-Net and the discriminators of f-distill use them.
 */

const siluOp = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: tf.mul(input, tf.sigmoid(input)),
    gradFunc: (dy, saved) => {
      const [savedInput] = saved as tf.Tensor[];
      const sigmoid = tf.sigmoid(savedInput as tf.Tensor);
      // d/dx [x s(x)] = s (1 + x (1 - s))
      const derivative = tf.mul(
        sigmoid,
        tf.add(1, tf.mul(savedInput as tf.Tensor, tf.sub(1, sigmoid))),
      );
      return tf.mul(dy as tf.Tensor, derivative);
    },
  };
});

const softmaxOp = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: tf.softmax(input),
    gradFunc: (dy, saved) => {
      const probabilities = tf.softmax((saved as tf.Tensor[])[0] as tf.Tensor);
      const upstream = dy as tf.Tensor;
      // Jacobian-vector product of softmax: p * (dy - sum(dy * p)).
      return tf.mul(
        probabilities,
        tf.sub(upstream, tf.sum(tf.mul(upstream, probabilities), -1, true)),
      );
    },
  };
});

/**
 * SiLU `x * sigmoid(x)` whose first and second derivatives are both exact under tfjs autodiff
 * (unlike `tf.mul(x, tf.sigmoid(x))`, whose second derivative tfjs gets wrong; see above).
 *
 * @example twiceDifferentiableSilu(tf.tensor1d([-1, 0, 1])); // [-0.2689, 0, 0.7311]
 */
export function twiceDifferentiableSilu<T extends tf.Tensor>(x: T): T {
  if (!(x instanceof tf.Tensor)) {
    throw new TypeError('twiceDifferentiableSilu(x): x must be a tf.Tensor');
  }
  return siluOp(x) as T;
}

/**
 * Softmax over the last axis whose first and second derivatives are both exact under tfjs
 * autodiff (unlike `tf.softmax`, whose second derivative tfjs gets wrong; see above).
 *
 * @example twiceDifferentiableSoftmax(tf.tensor2d([[0, Math.log(3)]])); // [[0.25, 0.75]]
 */
export function twiceDifferentiableSoftmax<T extends tf.Tensor>(x: T): T {
  if (!(x instanceof tf.Tensor)) {
    throw new TypeError('twiceDifferentiableSoftmax(x): x must be a tf.Tensor');
  }
  return softmaxOp(x) as T;
}
