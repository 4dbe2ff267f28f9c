import { deriveSeed, heunSampler, type UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs';
import { cacheFilePath, readCacheFile, teacherFingerprint, writeCacheFile } from './cache-files.js';
import { balancedLabels, formatDuration, guidedTeacher } from './image-samplers.js';
import { fromPixelLevels, toPixelLevels } from './pixel-levels.js';

/** Pairs drawn per Heun batch: keeps the wasm heap small. */
const CHUNK = 100;

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

/**
 * The teacher's deterministic sampler (guided at `guidanceScale`) as `count` pairs (latent z,
 * label) -> Heun solution, the regression targets of the student's warm start (DMD's regression
 * loss). The targets are drawn once per teacher weights, count, seed, solver steps and guidance,
 * then read from the cache (`cacheFilePath`: an `.npz` with uint8 `targets` and int64
 * `labels`); the latents are drawn again from the seed.
 *
 * @example const pairs = await cachedSamplerPairs(teacher, { count: 2048, seed: 0 });
 */
export async function cachedSamplerPairs(
  teacher: UNetDenoiser,
  options: SamplerPairOptions,
): Promise<SamplerPairs> {
  const { count, seed, solverSteps = 18, guidanceScale = 1, report = () => {} } = options;
  const key = (await teacherFingerprint(teacher)).slice(0, 16);
  const guidance = guidanceScale === 1 ? '' : `-cfg${guidanceScale}`;
  const latentSeed = deriveSeed(seed, 0);
  // Named by the seed the latents are drawn from, so that targets are only read for them.
  const path = cacheFilePath(
    `sampler-pairs-${key}-n${count}-latents${latentSeed}-heun${solverSteps}${guidance}.npz`,
  );
  const latents = pairLatents(teacher, count, latentSeed);
  const labelValues = balancedLabels(count);
  const labels = tf.tensor1d(labelValues, 'int32');
  const shape = latents.shape;
  const stored = (await readCacheFile(path))?.get('targets');
  if (stored !== undefined && stored.data.length === latents.size) {
    report(`sampler pairs: ${count} from the cache (${path})`);
    return { latents, labels, targets: tf.tensor4d(fromPixelLevels(stored.data), shape) };
  }
  const levels = new Uint8Array(latents.size);
  const started = performance.now();
  for (let start = 0; start < count; start += CHUNK) {
    const size = Math.min(CHUNK, count - start);
    const solution = tf.tidy(() => {
      const { samples } = heunSampler(guidedTeacher(teacher, guidanceScale), {
        noise: tf.slice(latents, [start, 0, 0, 0], [size, -1, -1, -1]),
        labels: tf.slice(labels, [start], [size]),
        steps: solverSteps,
      });
      return samples;
    });
    const values = (await solution.data()) as Float32Array;
    levels.set(toPixelLevels(values), start * (latents.size / count));
    solution.dispose();
    const done = start + size;
    const left = ((performance.now() - started) / 1000 / done) * (count - done);
    report(
      `sampler pairs (Heun ${solverSteps} steps): ${done}/${count}, ${formatDuration(left)} left`,
    );
  }
  writeCacheFile(path, {
    targets: { data: Float64Array.from(levels), shape: [...shape], dtype: 'uint8' },
    labels: { data: Float64Array.from(labelValues), shape: [count], dtype: 'int64' },
  });
  report(`sampler pairs: cached in ${path}`);
  return { latents, labels, targets: tf.tensor4d(fromPixelLevels(levels), shape) };
}
