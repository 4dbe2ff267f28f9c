import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from './safetensors.js';

/**
 * The state (parameters and buffers) of `module` as safetensors bytes (float32, dotted names), with optional string
 * metadata (e.g. the network config as JSON).
 *
 * @example await writeFile('teacher.safetensors', moduleToSafetensors(teacher, { config: JSON.stringify(config) }));
 */
export function moduleToSafetensors(
  module: Module,
  metadata: Record<string, string> = {},
): Uint8Array {
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, variable] of module.stateDict()) {
    tensors.set(name, {
      dtype: 'F32',
      shape: [...variable.shape],
      data: variable.dataSync() as Float32Array,
    });
  }
  return encodeSafetensors(tensors, metadata);
}

/**
 * Loads safetensors bytes into `module`. A missing tensor, an unexpected one or a wrong shape
 * throws an error that names the tensor, and leaves the module unchanged. Returns the metadata.
 *
 * @example loadModuleFromSafetensors(teacher, await readFile('teacher.safetensors'));
 */
export function loadModuleFromSafetensors(
  module: Module,
  bytes: Uint8Array,
): Record<string, string> {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const state = new Map<string, tf.Tensor>();
  try {
    for (const [name, tensor] of tensors) {
      // tfjs has no float64: F64 tensors are rounded to float32 (the parameters' type).
      const data = tensor.dtype === 'F64' ? Float32Array.from(tensor.data) : tensor.data;
      state.set(name, tf.tensor(data, tensor.shape));
    }
    module.loadStateDict(state);
  } finally {
    for (const tensor of state.values()) tensor.dispose();
  }
  return metadata;
}
