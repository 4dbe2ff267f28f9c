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

/** The safetensors metadata key under which networks store their config (JSON). */
export const NETWORK_CONFIG_KEY = 'config';

/**
 * Rebuilds a network saved with its config as JSON in the metadata key `config`: reads the
 * config, builds the network with `create`, then loads every tensor (a missing or wrongly shaped
 * one throws an error naming it, and the half-built network is freed). `caller` names the
 * function in errors.
 *
 * @example const unet = moduleFromSafetensors('UNetDenoiser.fromSafetensors', bytes, (config) => new UNetDenoiser(config));
 */
export function moduleFromSafetensors<Config, Network extends Module>(
  caller: string,
  bytes: Uint8Array,
  create: (config: Config) => Network,
): Network {
  const { metadata } = decodeSafetensors(bytes);
  const text = metadata[NETWORK_CONFIG_KEY];
  if (text === undefined) {
    throw new Error(
      `${caller}: the file has no "${NETWORK_CONFIG_KEY}" metadata (write it with toSafetensors)`,
    );
  }
  let config: Config;
  try {
    config = JSON.parse(text) as Config;
  } catch (error) {
    throw new Error(
      `${caller}: the "${NETWORK_CONFIG_KEY}" metadata is not JSON (${(error as Error).message})`,
    );
  }
  const network = create(config);
  try {
    loadModuleFromSafetensors(network, bytes);
  } catch (error) {
    network.dispose();
    throw error;
  }
  return network;
}
