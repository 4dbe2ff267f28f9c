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
 * The default image teacher run. Measured on one core of a 2-core machine (tfjs wasm with the
 * project's kernels): 0.77-1.0 s per step at batch 32 (1.4 s at 64), so 3,000 steps take about
 * 40-55 minutes with the sample grids; see the cli README for the options measured.
 */
export const FASHION_MNIST_TEACHER_DEFAULTS: ImageTeacherConfig = {
  preset: 'fashion-mnist',
  network: FASHION_MNIST_TEACHER_NETWORK,
  steps: 3000,
  batchSize: 32,
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
