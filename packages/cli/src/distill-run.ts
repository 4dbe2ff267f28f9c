import { existsSync } from 'node:fs';
import {
  type Distiller,
  type DistillRun,
  type DistillShards,
  type DistillStepEvent,
  distill,
} from '@fdistill/trainer';
import { checkpointFile, startDistillWorkers } from '@fdistill/trainer/node';
import { ProgressBar } from './progress-bar.js';
import { isMixtureRunConfig, type RunConfig } from './run-config.js';
import { RUN_FOLDER_VERSION, type RunFolder } from './run-folder.js';
import { IMAGE_RUN_KIND, MIXTURE_RUN_KIND, type RunKind } from './run-kinds.js';
import type { ImageRunSummary } from './summarize-image-run.js';
import type { RunSummary } from './summarize-mixture-run.js';

/** What `distillRun` trains: a config in its run folder, on a backend. */
export interface DistillRunRequest {
  config: RunConfig;
  folder: RunFolder;
  backend: string;
  /**
   * Threads that share each step (1: this thread alone); the helpers start once, when the run
   * is built, each with its own tfjs on `backend`.
   */
  threads: number;
  /** Continue from the folder's checkpoint instead of starting fresh. */
  resume: boolean;
  /** Where progress goes; default stderr. */
  progress?: NodeJS.WriteStream;
  signal?: AbortSignal;
}

/** A finished run's summary with its table for the terminal. */
export interface FinishedRun {
  summary: RunSummary | ImageRunSummary;
  table: string;
}

/**
 * Fails on missing or bad inputs of a run (image data, teacher) before any folder is written.
 *
 * @example checkRunInputs(resolveRunConfig({ preset: 'fashion-mnist' }));
 */
export function checkRunInputs(config: RunConfig): void {
  withRunKind(config, (kind, ofKind) => kind.checkInputs(ofKind));
}

/** Calls `act` with the run kind of `config` (mixture or image) and the config as that kind's. */
function withRunKind<Result>(
  config: RunConfig,
  act: <Config extends RunConfig, Run extends DistillRun, Summary extends FinishedRun['summary']>(
    kind: RunKind<Config, Run, Summary>,
    config: Config,
  ) => Result,
): Result {
  return isMixtureRunConfig(config) ? act(MIXTURE_RUN_KIND, config) : act(IMAGE_RUN_KIND, config);
}

/**
 * Trains (or continues) one run of any kind to `config.steps` with a progress bar and
 * metrics.jsonl, then measures it (samples.png, summary.json). Returns the summary and its
 * table, or `undefined` when interrupted (a checkpoint is written).
 *
 * @example const finished = await distillRun({ config, folder, backend: 'wasm', threads: 2, resume: false });
 */
export function distillRun(request: DistillRunRequest): Promise<FinishedRun | undefined> {
  return withRunKind(request.config, (kind, config) => trainAndSummarize(kind, config, request));
}

/**
 * Makes `threads - 1` helper threads take slices of each of the distiller's steps, each with its
 * own tfjs on `backend` (`startDistillWorkers`); nothing for one thread. Returns the workers to
 * dispose of after the run.
 *
 * @example const shards = await shareStepsWithHelpers(run.distiller, 2, 'wasm'); ...; shards?.dispose();
 */
export async function shareStepsWithHelpers(
  distiller: Distiller,
  threads: number,
  backend: string,
): Promise<DistillShards | undefined> {
  if (threads <= 1) return undefined;
  const shards = await startDistillWorkers({
    distiller,
    helpers: threads - 1,
    imports: [import.meta.resolve('@tensorflow/tfjs')],
    backend: { module: import.meta.resolve('@fdistill/backend'), name: backend },
  });
  distiller.shareWork(shards);
  return shards;
}

/** The run loop of `distillRun` for one kind. */
async function trainAndSummarize<Config extends RunConfig, Run extends DistillRun, Summary>(
  kind: RunKind<Config, Run, Summary>,
  config: Config,
  request: DistillRunRequest,
): Promise<{ summary: Summary; table: string } | undefined> {
  const { folder, backend, threads, resume, signal } = request;
  const started = performance.now();
  const run = kind.build(config);
  let shards: DistillShards | undefined;
  try {
    shards = await shareStepsWithHelpers(run.distiller, threads, backend);
    let secondsBefore = 0;
    const wallSeconds = () => secondsBefore + (performance.now() - started) / 1000;
    const stream = request.progress ?? process.stderr;
    let bar: ProgressBar | undefined;
    let lastGenerator: DistillStepEvent | undefined;
    const evaluationEvery = kind.evaluation?.every(config) ?? 0;
    const onStep = async (event: DistillStepEvent) => {
      // From the first step this process takes (a resumed run starts past 0).
      bar ??= new ProgressBar(config.steps, stream, event.step);
      folder.appendMetrics({ ...event });
      if (event.phase === 'generator') lastGenerator = event;
      const losses = lastGenerator?.losses;
      const status = losses
        ? `G ${losses.generator?.toFixed(3)} (f ${losses.fDistill?.toFixed(3)}, gan ${losses.ganGenerator?.toFixed(3)}) h ${lastGenerator?.weight?.mean.toFixed(2)}`
        : '';
      bar.update(event.step + 1, status);
      const done = event.step + 1;
      if (kind.evaluation && evaluationEvery > 0 && done % evaluationEvery === 0) {
        const measured = await kind.evaluation.measure(run, config);
        folder.appendMetrics({ step: done, phase: 'evaluation', ...measured });
      }
    };
    const result = await distill(run, {
      totalSteps: config.steps,
      checkpoint: checkpointFile(folder.file('checkpoint')),
      checkpointEvery: config.checkpointEvery,
      onStep,
      // Every process of the run adds its time: a resumed run reports the sum.
      checkpointState: {
        preset: config.preset,
        runFolderVersion: RUN_FOLDER_VERSION,
        get wallSeconds() {
          return wallSeconds();
        },
      },
      resume,
      onResume: (state) => {
        secondsBefore = typeof state.wallSeconds === 'number' ? state.wallSeconds : 0;
        // Only a checkpoint that loaded changes the folder (--steps may have extended the config).
        folder.writeConfig(config);
        // A process killed during a checkpoint write leaves its temporary file: clear it.
        folder.removeStaleTemporaryFiles();
        folder.keepMetricsOfFirstSteps(run.distiller.steps);
        folder.recordResume(run.distiller.steps);
      },
      onWarmStart: () => stream.write(`${kind.describeWarmStart?.(config) ?? 'warm start'}\n`),
      ...(signal ? { signal } : {}),
    });
    bar?.finish();
    if (result.interrupted) return undefined;
    const summary = await kind.summarize(run, config, folder, {
      backend,
      threads,
      samplerThreads: threads,
      wallSeconds: wallSeconds(),
      report: (line) => stream.write(`${line}\n`),
    });
    return { summary, table: kind.format(summary) };
  } finally {
    shards?.dispose();
    run.dispose();
  }
}

/**
 * Measures a run's checkpoint as a finished run of its kind does (samples.png, summary.json),
 * with `wallSeconds` read when the measurement starts. Returns the summary and its table.
 *
 * @example const { table } = await measureRun({ config, folder, backend: 'wasm', wallSeconds: () => 120 });
 */
export function measureRun(request: {
  config: RunConfig;
  folder: RunFolder;
  backend: string;
  /** Threads that trained the run, when known (summary.json records them). */
  threads?: number;
  /** Threads that draw the samples the measurement needs and no cache holds; default 1. */
  samplerThreads?: number;
  wallSeconds: () => number;
}): Promise<FinishedRun> {
  return withRunKind(request.config, (kind, config) => measureCheckpoint(kind, config, request));
}

/** `measureRun` for one kind. */
async function measureCheckpoint<Config extends RunConfig, Run extends DistillRun, Summary>(
  kind: RunKind<Config, Run, Summary>,
  config: Config,
  request: {
    folder: RunFolder;
    backend: string;
    threads?: number;
    samplerThreads?: number;
    wallSeconds: () => number;
  },
): Promise<{ summary: Summary; table: string }> {
  const { folder, backend, threads, samplerThreads } = request;
  const run = kind.build(config);
  try {
    run.distiller.loadCheckpoint(checkpointFile(folder.file('checkpoint')));
    const summary = await kind.summarize(run, config, folder, {
      backend,
      ...(threads === undefined ? {} : { threads }),
      ...(samplerThreads === undefined ? {} : { samplerThreads }),
      wallSeconds: request.wallSeconds(),
      report: (line) => process.stderr.write(`${line}\n`),
    });
    return { summary, table: kind.format(summary) };
  } finally {
    run.dispose();
  }
}

/** `base`, or `base-2`, `base-3`, ... : the first that does not exist yet (default run folders). */
export function freeFolderName(base: string): string {
  let candidate = base;
  for (let index = 2; existsSync(candidate); index++) candidate = `${base}-${index}`;
  return candidate;
}
