import { Worker } from 'node:worker_threads';
import { MlpDenoiser, UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { GradientShards, ShardResult, TeacherShard } from '../gradient-shards.js';
import {
  CONTROL,
  type GradientWorkerData,
  readErrorMessage,
  type ShardBuffers,
  STOP,
  sampleShapeOf,
} from './gradient-worker-protocol.js';

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
  /** The largest slice a worker will be given (the batch size); sizes its shared buffers. */
  maxShardSize: number;
  /** How long `finish` waits for a worker before giving up; default 10 minutes. */
  timeoutMs?: number;
}

/**
 * Starts the worker script: the built file next to this one, or, when this module runs from its
 * TypeScript source (the package's tests), the source through tsx's loader.
 */
function spawnWorker(workerData: GradientWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./gradient-worker.js', import.meta.url), { workerData });
  }
  const source = new URL('./gradient-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Starts `helpers` worker threads that compute denoising score-matching gradients of slices of a
 * batch (`TeacherTrainer.shareWork`), each with its own tfjs on the given backend and its own
 * copy of the network, exchanging parameters and gradients through shared memory. Resolves once
 * every worker has built its network.
 *
 * @example
 * const shards = await startGradientWorkers({
 *   network, helpers: 1, maxShardSize: 32,
 *   imports: [import.meta.resolve('@tensorflow/tfjs')],
 *   backend: { module: import.meta.resolve('@fdistill/backend'), name: 'wasm' },
 * });
 * trainer.shareWork(shards); // ... train ...; shards.dispose();
 */
export async function startGradientWorkers(
  options: GradientWorkersOptions,
): Promise<GradientShards> {
  const { network, helpers, backend, maxShardSize, imports } = options;
  const timeoutMs = options.timeoutMs ?? 600_000;
  if (!(network instanceof UNetDenoiser || network instanceof MlpDenoiser)) {
    throw new TypeError('startGradientWorkers: network must be a UNetDenoiser or an MlpDenoiser');
  }
  if (!Number.isInteger(helpers) || helpers < 1) {
    throw new RangeError(`startGradientWorkers: helpers must be an integer >= 1, got ${helpers}`);
  }
  if (!Number.isInteger(maxShardSize) || maxShardSize < 1) {
    throw new RangeError(
      `startGradientWorkers: maxShardSize must be an integer >= 1, got ${maxShardSize}`,
    );
  }
  if (!Array.isArray(imports) || imports.some((specifier) => typeof specifier !== 'string')) {
    throw new TypeError(
      'startGradientWorkers: imports must be an array of module URLs, e.g. [import.meta.resolve("@tensorflow/tfjs")]',
    );
  }
  if (typeof backend?.module !== 'string' || typeof backend?.name !== 'string') {
    throw new TypeError(
      'startGradientWorkers: backend must be { module, name }, e.g. { module: import.meta.resolve("@fdistill/backend"), name: "wasm" }',
    );
  }
  const parameterCount = network.parameters().reduce((total, p) => total + p.size, 0);
  const sampleSize = sampleShapeOf(network.config).reduce((total, length) => total * length, 1);
  const parameters = new Float32Array(new SharedArrayBuffer(4 * parameterCount));
  const networkBytes = network.toSafetensors();
  const workers: Array<{ worker: Worker; buffers: ShardBuffers }> = [];
  try {
    for (let index = 0; index < helpers; index++) {
      const buffers: ShardBuffers = {
        control: new Int32Array(new SharedArrayBuffer(4 * CONTROL.length)),
        parameters,
        gradients: new Float32Array(new SharedArrayBuffer(4 * parameterCount)),
        loss: new Float64Array(new SharedArrayBuffer(8)),
        x: new Float32Array(new SharedArrayBuffer(4 * maxShardSize * sampleSize)),
        noise: new Float32Array(new SharedArrayBuffer(4 * maxShardSize * sampleSize)),
        sigma: new Float32Array(new SharedArrayBuffer(4 * maxShardSize)),
        labels: new Int32Array(new SharedArrayBuffer(4 * maxShardSize)),
        error: new Uint8Array(new SharedArrayBuffer(4096)),
      };
      const data: GradientWorkerData = {
        imports,
        backendModule: backend.module,
        backendName: backend.name,
        productionMode: tf.env().getBool('PROD'),
        architecture: network instanceof UNetDenoiser ? 'UNetDenoiser' : 'MlpDenoiser',
        networkBytes,
        buffers,
      };
      const worker = spawnWorker(data);
      workers.push({ worker, buffers });
    }
    await Promise.all(workers.map(({ worker }) => workerReady(worker)));
  } catch (error) {
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
    throw error;
  }
  for (const { worker } of workers) worker.unref();
  return gradientShards(workers, maxShardSize, timeoutMs);
}

/** Resolves when the worker says it is ready; rejects with its error if it fails first. */
function workerReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('message', (message: unknown) => {
      if (message === 'ready') resolve();
      else reject(new Error(`gradient worker: ${String((message as { error?: string }).error)}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`gradient worker exited with code ${code}`)));
  });
}

/** The `GradientShards` of started workers: jobs through shared memory and Atomics. */
function gradientShards(
  workers: ReadonlyArray<{ worker: Worker; buffers: ShardBuffers }>,
  maxShardSize: number,
  timeoutMs: number,
): GradientShards {
  let generation = 0;
  let started = 0;
  let disposed = false;
  return {
    count: workers.length,
    start(shards: readonly TeacherShard[], parameterValues: Float32Array) {
      if (disposed) throw new Error('GradientShards: used after dispose()');
      if (shards.length > workers.length) {
        throw new RangeError(
          `GradientShards.start: ${shards.length} slices for ${workers.length} workers`,
        );
      }
      (workers[0] as { buffers: ShardBuffers }).buffers.parameters.set(parameterValues);
      generation += 1;
      shards.forEach((shard, index) => {
        const { buffers } = workers[index] as { buffers: ShardBuffers };
        const size = shard.sigma.length;
        if (size > maxShardSize) {
          throw new RangeError(
            `GradientShards.start: a slice of ${size} samples exceeds maxShardSize ${maxShardSize}`,
          );
        }
        buffers.x.set(shard.x);
        buffers.noise.set(shard.noise);
        buffers.sigma.set(shard.sigma);
        if (shard.labels !== undefined) buffers.labels.set(shard.labels);
        Atomics.store(buffers.control, CONTROL.indexOf('size'), size);
        Atomics.store(buffers.control, CONTROL.indexOf('hasLabels'), shard.labels ? 1 : 0);
        Atomics.store(buffers.control, CONTROL.indexOf('failed'), 0);
        Atomics.store(buffers.control, CONTROL.indexOf('job'), generation);
        Atomics.notify(buffers.control, CONTROL.indexOf('job'));
      });
      started = shards.length;
    },
    finish(): ShardResult[] {
      const results: ShardResult[] = [];
      for (let index = 0; index < started; index++) {
        const { buffers } = workers[index] as { buffers: ShardBuffers };
        const done = CONTROL.indexOf('done');
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const current = Atomics.load(buffers.control, done);
          if (current === generation) break;
          if (Date.now() > deadline) {
            throw new Error(`gradient worker ${index} did not answer within ${timeoutMs} ms`);
          }
          Atomics.wait(buffers.control, done, current, 1000);
        }
        if (Atomics.load(buffers.control, CONTROL.indexOf('failed')) === 1) {
          throw new Error(`gradient worker ${index}: ${readErrorMessage(buffers.error)}`);
        }
        results.push({ loss: buffers.loss[0] as number, gradients: buffers.gradients.slice() });
      }
      started = 0;
      return results;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const { worker, buffers } of workers) {
        Atomics.store(buffers.control, CONTROL.indexOf('job'), STOP);
        Atomics.notify(buffers.control, CONTROL.indexOf('job'));
        void worker.terminate();
      }
    },
  };
}
