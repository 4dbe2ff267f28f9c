import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadModuleFromSafetensors, moduleToSafetensors } from '@fdistill/score';
import type { ImageRun } from '@fdistill/trainer';
import { writeFileAtomically } from '@fdistill/trainer/node';
import { cacheFilePath, teacherFingerprint } from './cache-files.js';
import type { ImageRunConfig } from './run-config.js';

/** Bump when the warm start's computation changes, so that no older cached student is read. */
const WARM_START_CACHE_VERSION = 1;

/**
 * The name of the cached warm-started student of `config`: the teacher's fingerprint, the run
 * seed and a hash of every setting the regression reads (not the divergence, the critics'
 * settings or the distillation steps, so runs that differ only there share it).
 */
async function warmStartCacheName(run: ImageRun, config: ImageRunConfig): Promise<string> {
  const settings = {
    version: WARM_START_CACHE_VERSION,
    steps: config.studentWarmStartSteps,
    pairs: config.studentWarmStartPairs ?? null,
    learningRate:
      config.studentWarmStartLearningRate ?? config.generatorLearningRate ?? config.learningRate,
    batchSize: config.batchSize,
    guidanceScale: config.guidanceScale ?? 1,
    sigmaMax: config.sigmaMax ?? null,
  };
  const teacher = (await teacherFingerprint(run.teacher)).slice(0, 16);
  const key = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12);
  return `warm-start-student-${teacher}-seed${config.seed}-${key}.safetensors`;
}

/**
 * `run` with its warm start read from the cache when an earlier run with the same teacher, seed
 * and warm-start settings wrote it (`cacheFilePath`, a safetensors file of the student), and
 * written there after a warm start that ran to its end. The loaded student is the regressed one
 * bit for bit, so a run is the same with or without the cache; a comparison of divergences pays
 * for one warm start per seed. A file that does not load is ignored and overwritten.
 *
 * @example const run = withCachedWarmStart(buildImageRun({ teacher, data, settings, warmStart }), config);
 */
export function withCachedWarmStart(
  run: ImageRun,
  config: ImageRunConfig,
  report: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): ImageRun {
  const warmStart = run.warmStart;
  if (warmStart === undefined) return run;
  return {
    ...run,
    async warmStart(signal?: AbortSignal) {
      const path = cacheFilePath(await warmStartCacheName(run, config));
      if (existsSync(path)) {
        try {
          loadModuleFromSafetensors(run.student, readFileSync(path));
          run.studentEma.copyParametersFrom(run.student);
          report(`warm start: the regressed student from the cache (${path})`);
          return;
        } catch {
          report(`warm start: ${path} does not load; regressing again`);
        }
      }
      await warmStart(signal);
      if (signal?.aborted) return;
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomically(path, moduleToSafetensors(run.student));
    },
  };
}
