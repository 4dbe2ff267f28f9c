import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.tidy` for a computation that returns tensors inside plain objects, interfaces included
 * (tfjs types only index-signature objects): those tensors are kept, every other one freed.
 *
 * @example const draws = tidyObject(() => model.drawStudentInputs(step, 'latent', 'fake-sigma', 'fake-noise'));
 */
export function tidyObject<Result extends object>(compute: () => Result): Result {
  return tf.tidy(() => compute() as unknown as tf.TensorContainer) as unknown as Result;
}

/**
 * Frees every tensor inside a plain object (or array) of tensors, interfaces included.
 *
 * @example disposeObject(draws);
 */
export function disposeObject(value: object): void {
  tf.dispose(value as unknown as tf.TensorContainer);
}
