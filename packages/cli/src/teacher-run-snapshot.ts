import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs';
import { validateImageTeacherConfig } from './image-teacher-config.js';
import { ConfigError } from './run-config.js';

/**
 * The EMA network of a Fashion-MNIST teacher run as it stands at its last checkpoint (the
 * `ema.*` tensors of checkpoint.safetensors, built from the run's config.json), so a run can be
 * measured while it trains. Stops with a `ConfigError` naming what is missing.
 *
 * @example const teacher = teacherOfRunFolder('runs/teacher-fashion-mnist-seed0');
 */
export function teacherOfRunFolder(folder: string): UNetDenoiser {
  const configPath = join(folder, 'config.json');
  const checkpointPath = join(folder, 'checkpoint.safetensors');
  if (!existsSync(configPath) || !existsSync(checkpointPath)) {
    throw new ConfigError(
      `${folder} is not a teacher run folder with a checkpoint (config.json and checkpoint.safetensors)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${configPath} is not JSON: ${(error as Error).message}`);
  }
  const config = validateImageTeacherConfig(parsed, configPath);
  let tensors: ReturnType<typeof decodeSafetensors>['tensors'];
  try {
    tensors = decodeSafetensors(readFileSync(checkpointPath)).tensors;
  } catch (error) {
    throw new ConfigError(`${checkpointPath}: ${(error as Error).message}`);
  }
  const network = new UNetDenoiser(config.network);
  const state = new Map<string, tf.Tensor>();
  for (const [name, tensor] of tensors) {
    if (name.startsWith('ema.')) state.set(name.slice(4), tf.tensor(tensor.data, tensor.shape));
  }
  try {
    network.loadStateDict(state);
  } catch (error) {
    network.dispose();
    throw new ConfigError(`${checkpointPath}: its EMA network ${(error as Error).message}`);
  } finally {
    tf.dispose([...state.values()]);
  }
  return network;
}
