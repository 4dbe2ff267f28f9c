import { UNetDenoiser } from '@fdistill/score';
import { assertIntegerAtLeast } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import type { SamplerChunk, SamplerWorkerData } from './sampler-worker-protocol.js';
import { solveChunk } from './solve-chunk.js';
import { checkWorkerSetupOptions, startWorkerPool, type WorkerTimeouts } from './worker-pool.js';

/** Options of `startSamplerWorkers`. */
export interface SamplerWorkersOptions {
  /** The teacher; each worker rebuilds it from `teacher.toSafetensors()`. */
  teacher: UNetDenoiser;
  /** Helper threads to start (the calling thread solves a chunk too): at least 1. */
  helpers: number;
  /**
   * Modules each worker imports first, in order (URLs or absolute paths): tfjs, e.g.
   * `import.meta.resolve('@tensorflow/tfjs')`.
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

/** The calling thread and helper threads that solve chunks of a teacher's Heun sampling. */
export interface TeacherSamplers {
  /** Threads that solve chunks at once: 1 + the helpers. */
  readonly threads: number;
  /**
   * Solves up to `threads` chunks at once: the first on this thread, the others on the helpers.
   * Resolves with the solutions in order; rejects, naming the helper, when one fails, dies or
   * stops answering.
   */
  solve(chunks: readonly SamplerChunk[]): Promise<Float32Array[]>;
  /** Stops the helpers. */
  dispose(): void;
}

/**
 * Starts `helpers` worker threads that each hold a copy of `teacher` and solve chunks of its
 * deterministic Heun sampler (`solveChunk`, the same code on every thread, so that a chunk's
 * solution does not depend on the thread). Resolves once every worker has built its copy.
 *
 * @example
 * const samplers = await startSamplerWorkers({
 *   teacher, helpers: 1,
 *   imports: [import.meta.resolve('@tensorflow/tfjs')],
 *   backend: { module: import.meta.resolve('@fdistill/backend'), name: 'wasm' },
 * });
 * const [first, second] = await samplers.solve([chunk0, chunk1]); samplers.dispose();
 */
export async function startSamplerWorkers(
  options: SamplerWorkersOptions,
): Promise<TeacherSamplers> {
  const { teacher, helpers, imports, backend } = options;
  if (!(teacher instanceof UNetDenoiser)) {
    throw new TypeError('startSamplerWorkers: teacher must be a UNetDenoiser');
  }
  assertIntegerAtLeast('startSamplerWorkers: options.helpers', helpers, 1);
  checkWorkerSetupOptions('startSamplerWorkers', imports, backend);
  const data: SamplerWorkerData = {
    imports,
    backendModule: backend.module,
    backendName: backend.name,
    productionMode: tf.env().getBool('PROD'),
    networkBytes: teacher.toSafetensors(),
  };
  const pool = await startWorkerPool(
    'sampler-worker',
    Array.from({ length: helpers }, () => data),
    'sampler worker',
    options.timeouts,
  );
  return {
    threads: 1 + pool.count,
    async solve(chunks) {
      if (chunks.length > 1 + pool.count) {
        throw new RangeError(
          `TeacherSamplers.solve: at most ${1 + pool.count} chunks at once, got ${chunks.length}`,
        );
      }
      const [own, ...others] = chunks;
      if (own === undefined) return [];
      const pending = others.length > 0 ? pool.run<Float32Array>('solve', others) : undefined;
      pending?.catch(() => {});
      const first = solveChunk(teacher, own);
      return [first, ...((await pending) ?? [])];
    },
    dispose() {
      pool.dispose();
    },
  };
}
