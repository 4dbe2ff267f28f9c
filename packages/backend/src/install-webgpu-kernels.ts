import * as tf from '@tensorflow/tfjs-core';
import { tfjsPatchSupport } from './tfjs-patch-support.js';

/** The kernels `installWebGpuKernels` registers for the 'webgpu' backend. */
export const WEBGPU_KERNEL_NAMES = [tf.AddN] as const;

/** The part of tfjs-webgpu's backend this file reads: the device's limits. */
interface WebGpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): void;
}

let installed = false;

/**
 * Fixes what tfjs-backend-webgpu 4.x gets wrong for training, registering kernels for 'webgpu'
 * only:
 * - `AddN` in groups: the stock kernel binds every input to one shader, and a shader may bind
 *   only `maxStorageBuffersPerShaderStage` buffers (8 on many devices, the output included). A
 *   sum over more inputs (a gradient norm over a U-Net's 99 parameters) fails validation and
 *   leaves its output unwritten: Dawn prints the error, tfjs carries on with garbage. This one
 *   adds the inputs in groups that fit, then the group sums.
 *
 * Called by `selectBackend` when it lands on webgpu. Returns false when tfjs-webgpu is not
 * registered, tfjs-core is not the release these kernels were written for (`tfjsPatchSupport()`
 * says why; tfjs's own kernels stay) or this already ran.
 *
 * @example installWebGpuKernels(); // after tf.setBackend('webgpu')
 */
export function installWebGpuKernels(): boolean {
  const stock = tf.getKernel(tf.AddN, 'webgpu');
  if (installed || stock === undefined || !tfjsPatchSupport().supported) return false;
  tf.unregisterKernel(tf.AddN, 'webgpu');
  tf.registerKernel({
    kernelName: tf.AddN,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const gpu = backend as unknown as WebGpuBackendLike;
      const group = gpu.device.limits.maxStorageBuffersPerShaderStage - 1;
      const sum = (tensors: tf.TensorInfo[]) =>
        stock.kernelFunc({
          inputs: tensors as unknown as tf.NamedTensorInfoMap,
          backend,
          attrs,
        }) as tf.TensorInfo;
      let terms = inputs as unknown as tf.TensorInfo[];
      const partial: tf.TensorInfo[] = [];
      while (terms.length > group) {
        const next: tf.TensorInfo[] = [];
        for (let start = 0; start < terms.length; start += group) {
          const slice = terms.slice(start, start + group);
          if (slice.length === 1) {
            next.push(slice[0] as tf.TensorInfo);
            continue;
          }
          const groupSum = sum(slice);
          partial.push(groupSum);
          next.push(groupSum);
        }
        terms = next;
      }
      const result = sum(terms);
      for (const tensor of partial) gpu.disposeData(tensor.dataId);
      return result;
    },
  });
  installed = true;
  return true;
}
