import * as tf from '@tensorflow/tfjs';

/** The `selectBackend` a gradient worker imports in tests: tfjs's own backends, no project kernels. */
export async function selectBackend(name: string): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}
