import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './checkpoint-error.js';

/** The safetensors metadata key under which a checkpoint keeps its JSON state. */
const STATE_KEY = 'fdistill';

/** Tensors by name plus JSON-serializable state (step, config, ratio bins, ...). */
export interface CheckpointContent {
  tensors: Map<string, tf.Tensor>;
  state: Record<string, unknown>;
}

/**
 * Encodes tensors (as float32 or int32) and JSON state as one safetensors file's bytes. Reads
 * the tensors back without blocking (GPU backends in Node have no synchronous read).
 *
 * @example const bytes = await encodeCheckpoint({ tensors, state: { step: 100 } });
 */
export async function encodeCheckpoint(content: CheckpointContent): Promise<Uint8Array> {
  const encoded = new Map<string, SafetensorsTensor>();
  const entries = [...content.tensors];
  const values = await Promise.all(entries.map(([, tensor]) => tensor.data()));
  entries.forEach(([name, tensor], index) => {
    const data = values[index];
    encoded.set(name, {
      dtype: tensor.dtype === 'int32' ? 'I32' : 'F32',
      shape: [...tensor.shape],
      data: data instanceof Int32Array ? data : Float32Array.from(data as ArrayLike<number>),
    });
  });
  return encodeSafetensors(encoded, { [STATE_KEY]: JSON.stringify(content.state) });
}

/**
 * Decodes bytes written by `encodeCheckpoint`; the caller owns (and disposes) the tensors.
 * Truncated or foreign bytes throw a `CheckpointError` naming `name` (a file's path) and what is wrong.
 *
 * @example const { tensors, state } = decodeCheckpoint(bytes, 'run/checkpoint.safetensors');
 */
export function decodeCheckpoint(bytes: Uint8Array, name = 'checkpoint'): CheckpointContent {
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (error) {
    throw new CheckpointError(
      `loadCheckpoint: ${name} is not a readable checkpoint (${(error as Error).message})`,
    );
  }
  const { tensors, metadata } = decoded;
  const stateText = metadata[STATE_KEY];
  if (stateText === undefined) {
    throw new CheckpointError(
      `loadCheckpoint: ${name} is a safetensors file without fdistill state`,
    );
  }
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(stateText);
  } catch (error) {
    throw new CheckpointError(
      `loadCheckpoint: ${name} holds fdistill state that is not JSON (${(error as Error).message})`,
    );
  }
  const loaded = new Map<string, tf.Tensor>();
  for (const [tensorName, tensor] of tensors) {
    loaded.set(
      tensorName,
      tf.tensor(tensor.data, tensor.shape, tensor.dtype === 'I32' ? 'int32' : 'float32'),
    );
  }
  return { tensors: loaded, state };
}
