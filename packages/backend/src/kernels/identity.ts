import type * as tf from '@tensorflow/tfjs-core';
import { Identity, type IdentityInputs } from '@tensorflow/tfjs-core';
import { type KernelParams, registeredKernelFunc, stockKernelFunc } from './call-kernel.js';

/**
 * A wasm Identity that shares its input's data (one more reference) instead of copying it, as the
 * cpu backend does. tfjs clones every tensor a gradient saves (`saveTensorsForBackwardMode`), so
 * on wasm each recorded op copied its saved inputs and outputs: thousands of full-size copies per
 * training step, and the memory to hold them. Tensor data is never written in place, so sharing
 * is safe. Strings keep the stock kernel.
 *
 * @example tf.registerKernel(identityConfig(tf.getKernel(Identity, 'wasm')));
 */
export function identityConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const stockIdentity = stockKernelFunc<IdentityInputs, Record<string, never>>(stock);
  const identity = (params: KernelParams<IdentityInputs, Record<string, never>>) => {
    const { x } = params.inputs;
    if (x.dtype === 'string') return stockIdentity(params);
    (params.backend as tf.KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return { ...stock, kernelName: Identity, kernelFunc: registeredKernelFunc(identity) };
}
