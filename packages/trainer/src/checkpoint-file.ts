import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';

/** The safetensors metadata key under which a checkpoint keeps its JSON state. */
const STATE_KEY = 'fdistill';

/** Tensors by name plus JSON-serializable state (step, config, ratio bins, ...). */
export interface CheckpointContent {
  tensors: Map<string, tf.Tensor>;
  state: Record<string, unknown>;
}

/**
 * Writes `bytes` to `path` so that a crash never leaves a partial file there: a temporary file
 * beside it is written and flushed to disk, then renamed over `path` (atomic on POSIX), and the
 * folder is flushed so the rename survives a power loss.
 *
 * @example writeFileAtomically('run/checkpoint.safetensors', bytes);
 */
export function writeFileAtomically(path: string, bytes: Uint8Array | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = openSync(temporary, 'w');
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    let written = 0;
    while (written < data.length) written += writeSync(file, data, written, data.length - written);
    fsyncSync(file);
  } finally {
    closeSync(file);
  }
  renameSync(temporary, path);
  try {
    const folder = openSync(dirname(path), 'r');
    fsyncSync(folder);
    closeSync(folder);
  } catch {
    // Some platforms cannot open or fsync a folder; the rename itself is still atomic.
  }
}

/**
 * Saves tensors (as float32 or int32) and JSON state to one safetensors file, atomically.
 *
 * @example saveCheckpoint('run/checkpoint.safetensors', { tensors, state: { step: 100 } });
 */
export function saveCheckpoint(path: string, content: CheckpointContent): void {
  const encoded = new Map<string, SafetensorsTensor>();
  for (const [name, tensor] of content.tensors) {
    const data = tensor.dataSync();
    encoded.set(name, {
      dtype: tensor.dtype === 'int32' ? 'I32' : 'F32',
      shape: [...tensor.shape],
      data: data instanceof Int32Array ? data : Float32Array.from(data as ArrayLike<number>),
    });
  }
  const bytes = encodeSafetensors(encoded, { [STATE_KEY]: JSON.stringify(content.state) });
  writeFileAtomically(path, bytes);
}

/**
 * Loads a checkpoint written by `saveCheckpoint`. The caller owns (and disposes) the tensors.
 * A missing, truncated or foreign file throws an error naming the path and what is wrong.
 *
 * @example const { tensors, state } = loadCheckpoint('run/checkpoint.safetensors');
 */
export function loadCheckpoint(path: string): CheckpointContent {
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(new Uint8Array(readFileSync(path)));
  } catch (error) {
    throw new Error(
      `loadCheckpoint: ${path} is not a readable checkpoint (${(error as Error).message})`,
    );
  }
  const { tensors, metadata } = decoded;
  const stateText = metadata[STATE_KEY];
  if (stateText === undefined) {
    throw new Error(`loadCheckpoint: ${path} is a safetensors file without fdistill state`);
  }
  const loaded = new Map<string, tf.Tensor>();
  for (const [name, tensor] of tensors) {
    loaded.set(
      name,
      tf.tensor(tensor.data, tensor.shape, tensor.dtype === 'I32' ? 'int32' : 'float32'),
    );
  }
  return { tensors: loaded, state: JSON.parse(stateText) };
}
