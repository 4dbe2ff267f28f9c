import { Module } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { explainGradientError } from './r1.js';

/** The loss value and the gradient of every trainable discriminator parameter. */
export interface DiscriminatorGradients {
  value: tf.Scalar;
  /**
   * By variable name (`variable.name`), as `tf.variableGrads` gives them, ready for
   * `optimizer.applyGradients(grads)` (type the optimizer as `tf.Optimizer`: `AdamOptimizer`
   * narrows the argument type). A parameter the loss does not depend on has no entry.
   */
  grads: tf.NamedTensorMap;
}

/**
 * The gradients of `loss` with respect to the discriminator's trainable parameters ONLY
 * (`tf.variableGrads(loss, discriminator's variables)`): the heads train, and nothing else
 * moves, whatever else `loss` runs through (a frozen teacher, a generator). When the loss holds
 * an `exactR1Penalty` and tfjs cannot differentiate an op twice, the error says so and points to
 * `approximateR1Penalty`.
 *
 * @example
 * const { value, grads } = discriminatorGradients(discriminator, () =>
 *   tf.add(discriminatorLoss(real(), fake()), exactR1Penalty(logitsOf, realNoised, 1)));
 * optimizer.applyGradients(grads); // const optimizer: tf.Optimizer = tf.train.adam(1e-4)
 * tf.dispose([value, grads]);
 */
export function discriminatorGradients(
  discriminator: Module,
  loss: () => tf.Scalar,
): DiscriminatorGradients {
  if (!(discriminator instanceof Module)) {
    throw new TypeError('discriminatorGradients(discriminator): discriminator must be a Module');
  }
  if (typeof loss !== 'function') {
    throw new TypeError('discriminatorGradients(loss): loss must be a function returning a scalar');
  }
  const variables = discriminator.parameters().filter((variable) => variable.trainable);
  if (variables.length === 0) {
    throw new RangeError(
      'discriminatorGradients: the discriminator has no trainable parameters (was setTrainable(false) called on it?)',
    );
  }
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    result = tf.variableGrads(loss, variables);
  } catch (error) {
    throw explainGradientError('discriminatorGradients', error, 'second');
  }
  // tfjs gives null for a parameter the loss does not depend on (e.g. the last bias under R1 alone).
  const grads: tf.NamedTensorMap = {};
  for (const [name, gradient] of Object.entries(result.grads)) {
    if (gradient != null) grads[name] = gradient;
  }
  return { value: result.value, grads };
}
