import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import type { DistillShards } from '../distill-shards.js';
import { trainedModules } from '../distill-shards.js';
import type { Distiller } from '../distiller.js';
import { copyableDistillNetworks } from './distill-network-copies.js';
import type { DistillJobs, DistillWorkerData } from './distill-slice-jobs.js';
import { checkWorkerSetupOptions, startWorkerPool, type WorkerTimeouts } from './worker-pool.js';

/** Options of `startDistillWorkers`. */
export interface DistillWorkersOptions {
  /** The run whose steps the workers share; each rebuilds its networks from theirs. */
  distiller: Distiller;
  /** Helper threads to start (the calling thread computes a slice too): at least 1. */
  helpers: number;
  /**
   * Modules each worker imports first, in order (URLs or absolute paths): tfjs with its gradient
   * functions, e.g. `import.meta.resolve('@tensorflow/tfjs')`.
   */
  imports: string[];
  /**
   * The tfjs backend each worker selects: a module that exports `selectBackend(name)` (e.g.
   * `import.meta.resolve('@fdistill/backend')`) and the backend's name.
   */
  backend: { module: string; name: string };
  /** How long to wait for a worker that neither answers nor dies; see `WorkerTimeouts`. */
  timeouts?: WorkerTimeouts;
}

/**
 * Starts `helpers` worker threads that compute slices of the distiller's f-distill steps
 * (`Distiller.shareWork`), each with its own tfjs on the given backend and its own copies of the
 * teacher, student, fake score and discriminator, which take the trained parameters from shared
 * memory before each step. Resolves once every worker is ready. A worker that exits or throws
 * makes the step in progress reject at once with one line naming it; one that hangs, after
 * `timeouts`.
 *
 * @example
 * const shards = await startDistillWorkers({
 *   distiller: run.distiller, helpers: 3,
 *   imports: [import.meta.resolve('@tensorflow/tfjs')],
 *   backend: { module: import.meta.resolve('@fdistill/backend'), name: 'wasm' },
 * });
 * run.distiller.shareWork(shards); // ... distill ...; shards.dispose();
 */
export async function startDistillWorkers(options: DistillWorkersOptions): Promise<DistillShards> {
  const { distiller, helpers, imports, backend } = options;
  assertIntegerAtLeast('startDistillWorkers: options.helpers', helpers, 1);
  checkWorkerSetupOptions('startDistillWorkers', imports, backend);
  const { divergence: _, ...copyableOptions } = distiller.options;
  const parameterCount = trainedModules(distiller.networks)
    .flatMap((module) => module.parameters())
    .reduce((total, parameter) => total + parameter.size, 0);
  const parameters = new Float32Array(new SharedArrayBuffer(4 * parameterCount));
  const data: DistillWorkerData = {
    imports,
    backendModule: backend.module,
    backendName: backend.name,
    productionMode: tf.env().getBool('PROD'),
    networks: copyableDistillNetworks(distiller.networks),
    options: copyableOptions,
    sampleShape: [...distiller.data.sampleShape],
    ...(distiller.data.classCount === undefined ? {} : { classCount: distiller.data.classCount }),
    parameters,
  };
  const pool = await startWorkerPool(
    'distill-worker',
    Array.from({ length: helpers }, () => data),
    'distill worker',
    options.timeouts,
  );
  return {
    count: pool.count,
    critic(slices, values) {
      parameters.set(values);
      return pool.run<DistillJobs['critic']['answer']>('critic', slices);
    },
    generatorLogits(slices, values) {
      parameters.set(values);
      return pool.run<DistillJobs['generator-logits']['answer']>('generator-logits', slices);
    },
    generatorGradients(weights) {
      return pool.run<DistillJobs['generator-gradients']['answer']>('generator-gradients', weights);
    },
    dispose() {
      pool.dispose();
    },
  };
}
