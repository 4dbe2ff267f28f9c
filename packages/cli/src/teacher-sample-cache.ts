import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { decodeNpz, encodeNpz, type NpyArray } from '@fdistill/eval';
import type { UNetDenoiser } from '@fdistill/score';
import { writeFileAtomically } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { balancedLabels, teacherSamplesInChunks } from './image-samplers.js';
import type { LabelledImages } from './labelled-images.js';
import { fromPixelLevels, toPixelLevels } from './pixel-levels.js';

/** Seed of the teacher's evaluation latents: one set per teacher, whatever the student's seed. */
export const TEACHER_EVALUATION_SEED = 5;

/** Teacher samples for evaluation, as pixel levels, and what drawing them cost. */
export interface CachedTeacherSamples {
  samples: LabelledImages;
  /** Seconds per image when the samples were drawn (tfjs). */
  secondsPerImage: number;
  networkEvaluations: number;
  /** The cache file, and whether the samples came from it. */
  path: string;
  fromCache: boolean;
}

/**
 * The folder of fdistill's caches: `FDISTILL_CACHE_DIR`, else `$XDG_CACHE_HOME/fdistill`, else
 * `~/.cache/fdistill`.
 */
export function cacheFolder(): string {
  const configured = process.env.FDISTILL_CACHE_DIR;
  if (configured !== undefined && configured !== '') return configured;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'fdistill');
}

/** SHA-256 of a teacher's config and every parameter's values: the same weights, the same key. */
export async function teacherFingerprint(teacher: UNetDenoiser): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(teacher.config));
  for (const [name, variable] of teacher.namedParameters()) {
    hash.update(name);
    const values = (await variable.data()) as Float32Array;
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

/** Reads a cache file written by `cachedTeacherSamples`; undefined when it is unusable. */
async function readCache(path: string, count: number): Promise<CachedTeacherSamples | undefined> {
  let arrays: Map<string, NpyArray>;
  try {
    arrays = await decodeNpz(readFileSync(path));
  } catch {
    return undefined;
  }
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
 * `count` samples of the teacher (Heun, 35 NFE) for balanced labels, drawn once per teacher
 * (weights fingerprint) and count, then read from `cacheFolder()`: an `.npz` in the field's format
 * (uint8 `samples` [N, 28, 28, 1], int64 `labels`) plus the seconds per image measured when drawn.
 * `report` hears progress while drawing.
 *
 * @example const { samples } = await cachedTeacherSamples(teacher, 2000, console.error);
 */
export async function cachedTeacherSamples(
  teacher: UNetDenoiser,
  count: number,
  report: (line: string) => void = () => {},
): Promise<CachedTeacherSamples> {
  const key = (await teacherFingerprint(teacher)).slice(0, 16);
  const path = join(
    cacheFolder(),
    `teacher-samples-${key}-n${count}-seed${TEACHER_EVALUATION_SEED}.npz`,
  );
  if (existsSync(path)) {
    const cached = await readCache(path, count);
    if (cached !== undefined) {
      report(`teacher samples: ${count} from the cache (${path})`);
      return cached;
    }
    report(`teacher samples: ${path} is unreadable, drawing them again`);
  }
  const labels = balancedLabels(count);
  const drawn = await teacherSamplesInChunks(teacher, labels, TEACHER_EVALUATION_SEED, report);
  const levels = toPixelLevels((await drawn.samples.data()) as Float32Array);
  const shape = [...drawn.samples.shape];
  tf.dispose(drawn.samples);
  const secondsPerImage = drawn.seconds / count;
  mkdirSync(cacheFolder(), { recursive: true });
  writeFileAtomically(
    path,
    encodeNpz({
      samples: { data: Float64Array.from(levels), shape, dtype: 'uint8' },
      labels: { data: Float64Array.from(labels), shape: [count], dtype: 'int64' },
      seconds_per_image: { data: Float64Array.of(secondsPerImage), shape: [1] },
      network_evaluations: {
        data: Float64Array.of(drawn.networkEvaluations),
        shape: [1],
        dtype: 'int64',
      },
    }),
  );
  report(`teacher samples: cached in ${path}`);
  return {
    samples: { images: fromPixelLevels(levels), count, labels },
    secondsPerImage,
    networkEvaluations: drawn.networkEvaluations,
    path,
    fromCache: false,
  };
}
