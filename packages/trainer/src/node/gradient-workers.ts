import { MlpDenoiser, UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { GradientShards, ShardResult } from '../gradient-shards.js';
import type { GradientWorkerData } from './gradient-worker-protocol.js';
import { checkWorkerSetupOptions, startWorkerPool, type WorkerTimeouts } from './worker-pool.js';

/** Options of `startGradientWorkers`. */
export interface GradientWorkersOptions {
  /** The network being trained; each worker rebuilds it from `network.toSafetensors()`. */
  network: UNetDenoiser | MlpDenoiser;
  /** Helper threads to start (the calling thread computes a slice too): at least 1. */
  helpers: number;
  /**
   * Modules each worker imports first, in order (URLs or absolute paths): tfjs with its gradient
   * functions, e.g. `import.meta.resolve('@tensorflow/tfjs')` (`@tensorflow/tfjs-core` alone
   * registers none).
   */
  imports: string[];
  /**
   * The tfjs backend each worker selects: a module that exports `selectBackend(name)` (a URL or
   * absolute path, e.g. `import.meta.resolve('@fdistill/backend')`) and the backend's name.
   */
  backend: { module: string; name: string };
  /** How long to wait for a worker that neither answers nor dies; see `WorkerTimeouts`. */
  timeouts?: WorkerTimeouts;
}

/**
 * Starts `helpers` worker threads that compute denoising score-matching gradients of slices of a
 * batch (`TeacherTrainer.shareWork`), each with its own tfjs on the given backend and its own
 * copy of the network, which takes the parameters from shared memory before each slice.
 * Resolves once every worker has built its network. A worker that exits or throws makes the
 * step in progress reject at once with one line naming it; one that hangs, after `timeouts`.
 *
 * @example
 * const shards = await startGradientWorkers({
 *   network, helpers: 1,
 *   imports: [import.meta.resolve('@tensorflow/tfjs')],
 *   backend: { module: import.meta.resolve('@fdistill/backend'), name: 'wasm' },
 * });
 * trainer.shareWork(shards); // ... train ...; shards.dispose();
 */
export async function startGradientWorkers(
  options: GradientWorkersOptions,
): Promise<GradientShards> {
  const { network, helpers, backend, imports } = options;
  if (!(network instanceof UNetDenoiser || network instanceof MlpDenoiser)) {
    throw new TypeError('startGradientWorkers: network must be a UNetDenoiser or an MlpDenoiser');
  }
  if (!Number.isInteger(helpers) || helpers < 1) {
    throw new RangeError(`startGradientWorkers: helpers must be an integer >= 1, got ${helpers}`);
  }
  checkWorkerSetupOptions('startGradientWorkers', imports, backend);
  const parameterCount = network.parameters().reduce((total, p) => total + p.size, 0);
  const parameters = new Float32Array(new SharedArrayBuffer(4 * parameterCount));
  const data: GradientWorkerData = {
    imports,
    backendModule: backend.module,
    backendName: backend.name,
    productionMode: tf.env().getBool('PROD'),
    architecture: network instanceof UNetDenoiser ? 'UNetDenoiser' : 'MlpDenoiser',
    networkBytes: network.toSafetensors(),
    parameters,
  };
  const pool = await startWorkerPool(
    'gradient-worker',
    Array.from({ length: helpers }, () => data),
    'gradient worker',
    options.timeouts,
  );
  return {
    count: pool.count,
    compute(shards, values) {
      parameters.set(values);
      return pool.run<ShardResult>('gradient', shards);
    },
    dispose() {
      pool.dispose();
    },
  };
}
