import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UNetDenoiser } from '@fdistill/score';
import {
  buildImageRun,
  buildMixtureRun,
  type ImageRun,
  type ImageWarmStart,
  type MixtureRun,
} from '@fdistill/trainer';
import { fashionMnistSource } from './fashion-mnist.js';
import { formatDuration } from './image-samplers.js';
import {
  ConfigError,
  type ImageRunConfig,
  isMixtureRunConfig,
  type MixtureRunConfig,
  type RunConfig,
} from './run-config.js';
import { cachedSamplerPairs } from './sampler-pairs.js';
import { withCachedWarmStart } from './warm-start-cache.js';

/** The pretrained Fashion-MNIST teacher shipped with the CLI (see teachers/fashion-mnist/README.md). */
export const SHIPPED_FASHION_MNIST_TEACHER = fileURLToPath(
  new URL('../teachers/fashion-mnist/teacher.safetensors', import.meta.url),
);

/**
 * Reads a teacher written by `fdistill teacher train --preset fashion-mnist` (its
 * teacher.safetensors); an unreadable or wrong file stops with a `ConfigError` naming it.
 *
 * @example const teacher = loadImageTeacher('runs/teacher-fashion-mnist-seed0/teacher.safetensors');
 */
export function loadImageTeacher(path: string): UNetDenoiser {
  if (!existsSync(path)) throw new ConfigError(`teacher ${path} does not exist`);
  let teacher: UNetDenoiser;
  try {
    teacher = UNetDenoiser.fromSafetensors(readFileSync(path));
  } catch (error) {
    throw new ConfigError(`teacher ${path} is not a U-Net teacher: ${(error as Error).message}`);
  }
  if (
    teacher.classCount !== 10 ||
    teacher.config.imageSize !== 32 ||
    teacher.config.channels !== 1
  ) {
    teacher.dispose();
    throw new ConfigError(
      `teacher ${path} must be a class-conditional (10 classes) 32x32 grey U-Net, as fdistill teacher train --preset fashion-mnist writes`,
    );
  }
  return teacher;
}

/** Sampler pairs of an image warm start unless the config says otherwise. */
export const DEFAULT_SAMPLER_PAIRS = 2048;

/** Seed of the warm start's pairs: one cached set per teacher, shared by every run seed. */
const SAMPLER_PAIR_SEED = 0;

/**
 * Builds a Fashion-MNIST run: the trainer's `buildImageRun` around the config's teacher
 * (`teacherPath`, or the shipped one) on the training set of `dataPath`; with
 * `studentWarmStartSteps`, a fresh run first regresses the student on the teacher's cached
 * sampler pairs (or reads the student that an earlier run of the same seed and warm-start
 * settings regressed: `withCachedWarmStart`).
 *
 * @example const run = buildImageRunOfConfig(PRESETS['fashion-mnist']);
 */
export function buildImageRunOfConfig(config: ImageRunConfig): ImageRun {
  const data = fashionMnistSource(config.dataPath, 'train');
  const teacher = loadImageTeacher(config.teacherPath ?? SHIPPED_FASHION_MNIST_TEACHER);
  const steps = config.studentWarmStartSteps ?? 0;
  if (steps === 0)
    return withFakeScorePrefit(buildImageRun({ teacher, data, settings: config }), config);
  const warmStart: ImageWarmStart = {
    steps,
    // Drawn on as many threads as share the run's steps (set before the warm start runs).
    pairs: (signal) =>
      cachedSamplerPairs(teacher, {
        count: config.studentWarmStartPairs ?? DEFAULT_SAMPLER_PAIRS,
        seed: SAMPLER_PAIR_SEED,
        guidanceScale: config.guidanceScale ?? 1,
        threads: run.distiller.threads,
        ...(signal ? { signal } : {}),
        report: (line) => process.stderr.write(`${line}\n`),
      }),
    ...(config.studentWarmStartLearningRate === undefined
      ? {}
      : { learningRate: config.studentWarmStartLearningRate }),
    onUpdate: regressionProgress(steps, (line) => process.stderr.write(`${line}\n`)),
  };
  const run = buildImageRun({ teacher, data, settings: config, warmStart });
  return withFakeScorePrefit(withCachedWarmStart(run, config), config);
}

/** Every how many updates the warm start's regression reports its progress. */
const REGRESSION_REPORT_EVERY = 500;

/**
 * A progress line every `REGRESSION_REPORT_EVERY` updates of a regression of `total` updates
 * (and after the last): updates done, the batch's loss, the time left at the pace so far.
 */
function regressionProgress(
  total: number,
  report: (line: string) => void,
): (done: number, loss: number) => void {
  // The pace is timed from the end of the first update (which also compiles and allocates).
  let firstDone = 0;
  return (done, loss) => {
    if (done === 1) firstDone = performance.now();
    if (done % REGRESSION_REPORT_EVERY !== 0 && done !== total) return;
    const pace = done > 1 ? (performance.now() - firstDone) / 1000 / (done - 1) : 0;
    const left = pace * (total - done);
    report(
      `warm start: ${done}/${total} updates, loss ${loss.toFixed(4)}, ${formatDuration(left)} left`,
    );
  };
}

/**
 * `run` whose warm start ends by fitting the fake score to the student for
 * `fakeScorePrefitSteps` updates (after the student's regression, cached or not).
 */
function withFakeScorePrefit(run: ImageRun, config: ImageRunConfig): ImageRun {
  const steps = config.fakeScorePrefitSteps ?? 0;
  if (steps === 0) return run;
  const studentWarmStart = run.warmStart;
  return {
    ...run,
    async warmStart(signal?: AbortSignal) {
      await studentWarmStart?.(signal);
      if (!signal?.aborted) await run.distiller.prefitFakeScore(steps, signal);
    },
  };
}

/**
 * Builds a mixture-preset run (the trainer's `buildMixtureRun` on the config's settings).
 *
 * @example const run = buildMixtureRunOfConfig(resolveRunConfig({ preset: 'ring8' }));
 */
export function buildMixtureRunOfConfig(config: MixtureRunConfig): MixtureRun {
  return buildMixtureRun({ ...config, mixture: config.preset });
}

/**
 * Builds the run of a config of either kind.
 *
 * @example const run = buildRunOfConfig(RunFolder.open('runs/ring8-js-seed0').config);
 */
export function buildRunOfConfig(config: RunConfig): MixtureRun | ImageRun {
  return isMixtureRunConfig(config)
    ? buildMixtureRunOfConfig(config)
    : buildImageRunOfConfig(config);
}
