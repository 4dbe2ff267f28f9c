import type { UNetConfig } from '@fdistill/score';
import { FASHION_MNIST_PATH, FASHION_MNIST_TEACHER_NETWORK } from './fashion-mnist.js';
import { ConfigError, fieldsOfKind, validateConfigFields } from './run-config.js';

/** The config of an image teacher run (`fdistill teacher train --preset fashion-mnist`): config.json of its folder. */
export interface ImageTeacherConfig {
  preset: 'fashion-mnist';
  /** The U-Net. */
  network: UNetConfig;
  steps: number;
  batchSize: number;
  /** Peak learning rate: linear warm-up over `warmupSteps`, then cosine decay to 0 at `steps`. */
  learningRate: number;
  warmupSteps: number;
  /** Decay of the EMA copy that becomes the teacher. */
  emaDecay: number;
  /** Probability of training on the null label (classifier-free guidance). */
  labelDropout: number;
  seed: number;
  /** Folder with the Fashion-MNIST IDX files. */
  dataPath: string;
  checkpointEvery: number;
  /** Draw the per-class sample grid (Heun, 35 NFE) every this many steps. */
  sampleEvery: number;
}

/**
 * The default image teacher run: the schedule of the shipped teacher (teachers/fashion-mnist).
 * 8,000 steps at batch 64 are 512,000 images seen (8.5 epochs); measured on a quiet 2-core
 * machine with both threads (tfjs wasm with the project's kernels), 0.40-0.45 s per step, so
 * about an hour; see the teacher's README for its loss curve and metrics.
 */
export const FASHION_MNIST_TEACHER_DEFAULTS: ImageTeacherConfig = {
  preset: 'fashion-mnist',
  network: FASHION_MNIST_TEACHER_NETWORK,
  steps: 8000,
  batchSize: 64,
  learningRate: 2e-3,
  warmupSteps: 100,
  emaDecay: 0.999,
  labelDropout: 0.1,
  seed: 0,
  dataPath: FASHION_MNIST_PATH,
  checkpointEvery: 250,
  sampleEvery: 1000,
};

/**
 * Checks an image teacher config read from a file (config.json of a run folder) against the
 * config field table, naming the file and the field on any problem; every field must be there.
 *
 * @example validateImageTeacherConfig(JSON.parse(text), 'runs/teacher/config.json');
 */
export function validateImageTeacherConfig(value: unknown, source: string): ImageTeacherConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source}: an image teacher config must be a JSON object`);
  }
  const config = value as Record<string, unknown>;
  if (config.preset !== 'fashion-mnist') {
    throw new ConfigError(
      `${source}: preset must be "fashion-mnist", got ${JSON.stringify(config.preset)}`,
    );
  }
  validateConfigFields(config, source, 'image-teacher');
  for (const field of fieldsOfKind('image-teacher')) {
    if (config[field] === undefined) throw new ConfigError(`${source}: ${field} is missing`);
  }
  return config as unknown as ImageTeacherConfig;
}
