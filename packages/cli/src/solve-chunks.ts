import type { UNetDenoiser } from '@fdistill/score';
import { type SamplerChunk, solveChunk, startSamplerWorkers } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';

/** How `solveChunks` spreads the chunks and what it tells the caller. */
export interface SolveChunksOptions {
  /**
   * Threads that solve chunks at once: this one and helper threads on the current backend;
   * default 1. A chunk's solution is the same on any thread (`solveChunk`).
   */
  threads?: number;
  /** Stops after the current round of chunks once aborted (Ctrl-C). */
  signal?: AbortSignal;
  /** Hears each solution, in chunk order. */
  onSolved(index: number, values: Float32Array): void;
  /** Hears how many chunks are solved after each round, and on how many threads. */
  onRound?(solved: number, threads: number): void;
}

/**
 * Solves `count` chunks of the teacher's deterministic Heun sampler (`chunkAt(index)` builds
 * chunk `index` when its round starts), `threads` chunks per round: the first on this thread,
 * the others on helper threads started for the call and stopped after it. Returns how many
 * chunks were solved: `count`, or fewer when `signal` stopped it.
 *
 * @example const solved = await solveChunks(teacher, 20, chunkAt, { threads: 2, onSolved: (i, values) => keep(i, values) });
 */
export async function solveChunks(
  teacher: UNetDenoiser,
  count: number,
  chunkAt: (index: number) => SamplerChunk,
  options: SolveChunksOptions,
): Promise<number> {
  const { threads = 1, signal, onSolved, onRound } = options;
  const samplers =
    threads > 1 && count > 1
      ? await startSamplerWorkers({
          teacher,
          helpers: Math.min(threads, count) - 1,
          imports: [import.meta.resolve('@tensorflow/tfjs')],
          backend: { module: import.meta.resolve('@fdistill/backend'), name: tf.getBackend() },
        })
      : undefined;
  const perRound = samplers?.threads ?? 1;
  let solved = 0;
  try {
    while (solved < count && !signal?.aborted) {
      const indices = Array.from(
        { length: Math.min(perRound, count - solved) },
        (_, offset) => solved + offset,
      );
      const chunks = indices.map(chunkAt);
      const solutions = samplers
        ? await samplers.solve(chunks)
        : chunks.map((chunk) => solveChunk(teacher, chunk));
      for (const [offset, values] of solutions.entries()) onSolved(solved + offset, values);
      solved += chunks.length;
      onRound?.(solved, perRound);
      // Lets a Ctrl-C reach the signal between rounds.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    samplers?.dispose();
  }
  return solved;
}
