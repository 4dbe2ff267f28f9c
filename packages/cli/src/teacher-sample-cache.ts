import type { UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs';
import { cacheFilePath, readCacheFile, teacherFingerprint, writeCacheFile } from './cache-files.js';
import { balancedLabels, teacherSamplesInChunks } from './image-samplers.js';
import type { LabelledImages } from './labelled-images.js';
import { fromPixelLevels, toPixelLevels } from './pixel-levels.js';

/** Seed of the teacher's evaluation latents: one set per teacher, whatever the student's seed. */
export const TEACHER_EVALUATION_SEED = 5;

/** Teacher samples for evaluation, as pixel levels, and what drawing them cost. */
export interface CachedTeacherSamples {
  samples: LabelledImages;
  /**
   * Seconds per image on one thread when the samples were drawn (tfjs): the wall time times the
   * threads that drew them, over the images.
   */
  secondsPerImage: number;
  networkEvaluations: number;
  /** The cache file, and whether the samples came from it. */
  path: string;
  fromCache: boolean;
}

/** Reads a cache file written by `cachedTeacherSamples`; undefined when it is unusable. */
async function readCache(path: string, count: number): Promise<CachedTeacherSamples | undefined> {
  const arrays = await readCacheFile(path);
  if (arrays === undefined) return undefined;
  const levels = arrays.get('samples');
  const labels = arrays.get('labels');
  const seconds = arrays.get('seconds_per_image');
  const evaluations = arrays.get('network_evaluations');
  if (!levels || !labels || !seconds || !evaluations || labels.data.length !== count) {
    return undefined;
  }
  return {
    samples: { images: fromPixelLevels(levels.data), count, labels: Array.from(labels.data) },
    secondsPerImage: seconds.data[0] as number,
    networkEvaluations: evaluations.data[0] as number,
    path,
    fromCache: true,
  };
}

/**
 * The name of a teacher's cached samples: its fingerprint, N, the seed and (when guided) the
 * guidance scale.
 */
export function teacherSampleCacheName(key: string, count: number, guidanceScale: number): string {
  const guidance = guidanceScale === 1 ? '' : `-cfg${guidanceScale}`;
  return `teacher-samples-${key}-n${count}-seed${TEACHER_EVALUATION_SEED}${guidance}.npz`;
}

/** What `cachedTeacherSamples` draws when the cache lacks it. */
export interface TeacherSampleOptions {
  /** Classifier-free guidance scale of the teacher's sampler; default 1 (none). */
  guidanceScale?: number;
  /** Threads that draw batches at once (`teacherSamplesInChunks`); default 1. */
  threads?: number;
  /** Hears progress while drawing. */
  report?: (line: string) => void;
}

/**
 * `count` samples of the teacher (Heun, 35 NFE, guided at `guidanceScale`) for balanced labels,
 * drawn once per teacher (weights fingerprint), guidance scale and count, on `threads` threads
 * (the samples are the same on any number), then read from the cache (`cacheFilePath`): an
 * `.npz` in the field's format (uint8 `samples` [N, 28, 28, 1], int64 `labels`) plus the
 * seconds per image measured when drawn.
 *
 * @example const { samples } = await cachedTeacherSamples(teacher, 2000, { threads: 2, report: console.error });
 */
export async function cachedTeacherSamples(
  teacher: UNetDenoiser,
  count: number,
  options: TeacherSampleOptions = {},
): Promise<CachedTeacherSamples> {
  const { guidanceScale = 1, threads = 1, report = () => {} } = options;
  const key = (await teacherFingerprint(teacher)).slice(0, 16);
  const path = cacheFilePath(teacherSampleCacheName(key, count, guidanceScale));
  const cached = await readCache(path, count);
  if (cached !== undefined) {
    report(`teacher samples: ${count} from the cache (${path})`);
    return cached;
  }
  const labels = balancedLabels(count);
  const drawn = await teacherSamplesInChunks(teacher, labels, TEACHER_EVALUATION_SEED, {
    report,
    guidanceScale,
    threads,
  });
  const levels = toPixelLevels((await drawn.samples.data()) as Float32Array);
  const shape = [...drawn.samples.shape];
  tf.dispose(drawn.samples);
  const secondsPerImage = (drawn.seconds * drawn.threads) / count;
  writeCacheFile(path, {
    samples: { data: Float64Array.from(levels), shape, dtype: 'uint8' },
    labels: { data: Float64Array.from(labels), shape: [count], dtype: 'int64' },
    seconds_per_image: { data: Float64Array.of(secondsPerImage), shape: [1] },
    network_evaluations: {
      data: Float64Array.of(drawn.networkEvaluations),
      shape: [1],
      dtype: 'int64',
    },
  });
  report(`teacher samples: cached in ${path}`);
  return {
    samples: { images: fromPixelLevels(levels), count, labels },
    secondsPerImage,
    networkEvaluations: drawn.networkEvaluations,
    path,
    fromCache: false,
  };
}
