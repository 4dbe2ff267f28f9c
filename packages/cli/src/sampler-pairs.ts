import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed, type UNetDenoiser } from '@fdistill/score';
import type { SamplerChunk } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import {
  cacheFilePath,
  cacheFolder,
  readCacheFile,
  SHIPPED_CACHE_FOLDER,
  teacherFingerprint,
  writeCacheFile,
} from './cache-files.js';
import { balancedLabels, formatDuration } from './image-samplers.js';
import { fromPixelLevels, toPixelLevels } from './pixel-levels.js';
import { solveChunks } from './solve-chunks.js';

/** Noise-to-image pairs of the teacher's deterministic sampler, for a class-conditional student. */
export interface SamplerPairs {
  /** z ~ N(0, I) [N, 32, 32, 1]: the student's input for pair i. */
  latents: tf.Tensor4D;
  /** The class of pair i (balanced). */
  labels: tf.Tensor1D;
  /** The teacher's Heun solution from `latents[i] * sigmaMax` for `labels[i]`, as 8-bit levels in [-1, 1]. */
  targets: tf.Tensor4D;
}

/** What `cachedSamplerPairs` draws. */
export interface SamplerPairOptions {
  count: number;
  /** Seed of the latents (they are drawn again from it; the cache holds only the targets). */
  seed: number;
  /** Heun steps (2 * steps - 1 network evaluations); default 18. */
  solverSteps?: number;
  /** Classifier-free guidance scale of the teacher's sampler; default 1 (none). */
  guidanceScale?: number;
  /**
   * Threads that solve chunks of pairs at once (helper threads on the current backend); default
   * 1. A chunk's solution is the same on any thread.
   */
  threads?: number;
  /** Pairs per Heun batch (a chunk); default 100, which keeps the wasm heap small. */
  chunkSize?: number;
  /**
   * Stops drawing after the current chunks once aborted (Ctrl-C): the pairs drawn so far are
   * cached (as a file of that many pairs, the first pairs of any later count) and the rest of
   * the targets are left at 0.
   */
  signal?: AbortSignal;
  report?: (line: string) => void;
}

/**
 * The latents of the pairs, drawn from `latentSeed` (never 0: tfjs's random ops treat a seed of 0
 * as no seed at all, a fresh draw that no cached target would match).
 */
function pairLatents(teacher: UNetDenoiser, count: number, latentSeed: number): tf.Tensor4D {
  const { imageSize, channels } = teacher.config;
  return tf.randomNormal([count, imageSize, imageSize, channels], 0, 1, 'float32', latentSeed);
}

/** A pair file's name: `sampler-pairs-<teacher>-n<count><rest>` (`rest` names the latents and the sampler). */
interface PairFileName {
  head: string;
  rest: string;
}

/** The cached pair files of the same latents and sampler (any count), largest count first. */
function cachedPairFiles({ head, rest }: PairFileName): { count: number; path: string }[] {
  const files = new Map<number, string>();
  for (const folder of [cacheFolder(), SHIPPED_CACHE_FOLDER]) {
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder)) {
      if (!file.startsWith(head) || !file.endsWith(rest)) continue;
      const digits = file.slice(head.length, file.length - rest.length);
      if (/^[1-9]\d*$/.test(digits)) files.set(Number(digits), join(folder, file));
    }
  }
  return [...files].map(([count, path]) => ({ count, path })).sort((a, b) => b.count - a.count);
}

/**
 * The first pairs' 8-bit targets from the largest cached file of the same latents: the latents
 * of `count` pairs begin with those of fewer (tfjs draws them in order from the seed) and the
 * labels cycle through the classes, so a file of 2,048 pairs holds the first 2,048 of 8,192.
 */
async function cachedTargetPrefix(
  name: PairFileName,
  count: number,
  pixelsPerPair: number,
): Promise<{ levels: Uint8Array; path?: string }> {
  for (const file of cachedPairFiles(name)) {
    const stored = (await readCacheFile(file.path))?.get('targets');
    if (stored === undefined || stored.data.length !== file.count * pixelsPerPair) continue;
    const pairs = Math.min(count, file.count);
    return {
      levels: Uint8Array.from(stored.data.subarray(0, pairs * pixelsPerPair)),
      path: file.path,
    };
  }
  return { levels: new Uint8Array(0) };
}

/**
 * The teacher's deterministic sampler (guided at `guidanceScale`) as `count` pairs (latent z,
 * label) -> Heun solution, the regression targets of the student's warm start (DMD's regression
 * loss). The targets are drawn once per teacher weights, count, seed, solver steps and guidance,
 * then read from the cache (`cacheFilePath`: an `.npz` with uint8 `targets` and int64
 * `labels`); the latents are drawn again from the seed. A cached file of the same latents with
 * another count gives the first pairs, so growing 2,048 pairs to 8,192 draws only the 6,144 new ones.
 *
 * @example const pairs = await cachedSamplerPairs(teacher, { count: 2048, seed: 0 });
 */
export async function cachedSamplerPairs(
  teacher: UNetDenoiser,
  options: SamplerPairOptions,
): Promise<SamplerPairs> {
  const {
    count,
    seed,
    solverSteps = 18,
    guidanceScale = 1,
    threads = 1,
    chunkSize = 100,
    signal,
    report = () => {},
  } = options;
  const key = (await teacherFingerprint(teacher)).slice(0, 16);
  const guidance = guidanceScale === 1 ? '' : `-cfg${guidanceScale}`;
  const latentSeed = deriveSeed(seed, 0);
  // Named by the seed the latents are drawn from, so that targets are only read for them.
  const name = {
    head: `sampler-pairs-${key}-n`,
    rest: `-latents${latentSeed}-heun${solverSteps}${guidance}.npz`,
  };
  const latents = pairLatents(teacher, count, latentSeed);
  const labelValues = balancedLabels(count);
  const labels = tf.tensor1d(labelValues, 'int32');
  const shape = latents.shape;
  const pixelsPerPair = latents.size / count;
  const cached = await cachedTargetPrefix(name, count, pixelsPerPair);
  if (cached.levels.length === latents.size) {
    report(`sampler pairs: ${count} from the cache (${cached.path})`);
    return { latents, labels, targets: tf.tensor4d(fromPixelLevels(cached.levels), shape) };
  }
  const levels = new Uint8Array(latents.size);
  levels.set(cached.levels);
  const first = cached.levels.length / pixelsPerPair;
  if (first > 0) report(`sampler pairs: the first ${first} from the cache (${cached.path})`);
  const starts = Array.from(
    { length: Math.ceil((count - first) / chunkSize) },
    (_, i) => first + i * chunkSize,
  );
  const latentValues = latents.dataSync() as Float32Array;
  const chunkAt = (index: number): SamplerChunk => {
    const start = starts[index] as number;
    const size = Math.min(chunkSize, count - start);
    return {
      noise: latentValues.subarray(start * pixelsPerPair, (start + size) * pixelsPerPair),
      shape: [size, ...shape.slice(1)],
      labels: Int32Array.from(labelValues.slice(start, start + size)),
      steps: solverSteps,
      guidanceScale,
    };
  };
  // The pairs drawn once `solvedChunks` chunks are (they are solved in order).
  const pairsAfter = (solvedChunks: number) =>
    solvedChunks === 0 ? first : Math.min(count, (starts[solvedChunks - 1] as number) + chunkSize);
  const started = performance.now();
  const solved = await solveChunks(teacher, starts.length, chunkAt, {
    threads,
    ...(signal === undefined ? {} : { signal }),
    onSolved(index, values) {
      levels.set(toPixelLevels(values), (starts[index] as number) * pixelsPerPair);
    },
    onRound(solvedChunks, perRound) {
      const done = pairsAfter(solvedChunks);
      const left = ((performance.now() - started) / 1000 / (done - first)) * (count - done);
      report(
        `sampler pairs (Heun ${solverSteps} steps, ${perRound} thread${perRound === 1 ? '' : 's'}): ${done}/${count}, ${formatDuration(left)} left`,
      );
    },
  });
  const done = pairsAfter(solved);
  if (done > first) {
    const path = cacheFilePath(`${name.head}${done}${name.rest}`);
    writeCacheFile(path, {
      targets: {
        data: Float64Array.from(levels.subarray(0, done * pixelsPerPair)),
        shape: [done, ...shape.slice(1)],
        dtype: 'uint8',
      },
      labels: {
        data: Float64Array.from(labelValues.slice(0, done)),
        shape: [done],
        dtype: 'int64',
      },
    });
    report(
      `sampler pairs: ${done === count ? '' : `stopped; the first ${done} `}cached in ${path}`,
    );
  }
  return { latents, labels, targets: tf.tensor4d(fromPixelLevels(levels), shape) };
}
