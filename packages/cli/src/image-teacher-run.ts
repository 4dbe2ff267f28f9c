import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartPng, sampleGridPng } from '@fdistill/eval';
import { UNetDenoiser } from '@fdistill/score';
import {
  type DataSource,
  runTraining,
  type TeacherStepEvent,
  TeacherTrainer,
} from '@fdistill/trainer';
import { checkpointFile, startGradientWorkers, writeFileAtomically } from '@fdistill/trainer/node';
import { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
import { labelsByClass, teacherSamplesFor } from './image-samplers.js';
import type { ImageTeacherConfig } from './image-teacher-config.js';
import { ProgressBar } from './progress-bar.js';
import type { RunFolder } from './run-folder.js';

/** Samples per class in the teacher's sample grid. */
const SAMPLES_PER_CLASS = 8;

/** What `trainImageTeacher` is asked to do. */
export interface ImageTeacherRun {
  config: ImageTeacherConfig;
  /** The training images (`fashionMnistSource(config.dataPath, 'train')`). */
  data: DataSource;
  /** The run folder: new (`RunFolder.create`) or opened for `resume` (`RunFolder.openTeacher`). */
  folder: RunFolder;
  resume: boolean;
  backend: string;
  /** Threads sharing each batch (1: this thread alone). */
  threads: number;
  /** Stops the run after the current step with a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
}

/** An image teacher's summary.json. */
export interface ImageTeacherSummary {
  preset: 'fashion-mnist';
  steps: number;
  parameters: number;
  nfe: number;
  /** Mean DSM loss of the last 200 steps. */
  finalLoss: number;
  secondsPerStep: number;
  samplingSecondsPerImage: number;
  backend: string;
  threads: number;
  wallSeconds: number;
}

/** Mean of each run of `window` consecutive losses, for a readable loss curve. */
function smoothedLosses(events: readonly TeacherStepEvent[], window: number) {
  const steps: number[] = [];
  const values: number[] = [];
  for (let start = 0; start + window <= events.length; start += window) {
    const slice = events.slice(start, start + window);
    steps.push((slice.at(-1) as TeacherStepEvent).step + 1);
    values.push(slice.reduce((sum, event) => sum + event.loss, 0) / window);
  }
  return { steps, values };
}

/**
 * Draws the teacher's per-class sample grid at `step` (Heun, 35 NFE) into samples.png and the
 * sample history, and the loss curve so far into loss.png. Returns the seconds sampling took.
 */
async function drawSampleGrid(
  ema: UNetDenoiser,
  folder: RunFolder,
  config: ImageTeacherConfig,
  step: number,
  events: readonly TeacherStepEvent[],
): Promise<number> {
  const { samples, seconds } = await teacherSamplesFor(
    ema,
    labelsByClass(FASHION_MNIST_CLASSES.length, SAMPLES_PER_CLASS),
    config.seed + 7,
  );
  // Read without blocking; the grid reads the values it is handed.
  const values = await samples.data();
  const png = sampleGridPng(
    { shape: samples.shape, dataSync: () => values },
    { columns: SAMPLES_PER_CLASS, scale: 2 },
  );
  samples.dispose();
  writeFileAtomically(
    join(folder.file('sampleHistory'), `step-${String(step).padStart(6, '0')}.png`),
    png,
  );
  writeFileAtomically(folder.file('samples'), png);
  const curve = smoothedLosses(events, 50);
  if (curve.steps.length >= 2) {
    writeFileAtomically(
      folder.file('loss'),
      lineChartPng(
        { name: 'DSM loss (mean of 50 steps)', ...curve },
        { title: 'Fashion-MNIST teacher' },
      ),
    );
  }
  return seconds;
}

/**
 * Trains (or resumes) the Fashion-MNIST teacher: EDM denoising score matching of a
 * class-conditional U-Net, with a progress bar, periodic atomic checkpoints, a checkpoint on
 * `signal`, metrics.jsonl, a loss curve, a per-class sample grid every `sampleEvery` steps and at
 * the end, the EMA teacher (teacher.safetensors) and summary.json. Returns the summary, or
 * `undefined` when stopped by `signal`.
 *
 * @example const summary = await trainImageTeacher({ config, folder, resume: false, backend: 'wasm', threads: 2 });
 */
export async function trainImageTeacher(
  run: ImageTeacherRun,
): Promise<ImageTeacherSummary | undefined> {
  const { config, folder, resume } = run;
  // A resumed run's config may have new steps.
  if (resume) folder.writeConfig(config);
  mkdirSync(folder.file('sampleHistory'), { recursive: true });
  const network = new UNetDenoiser(config.network);
  const ema = new UNetDenoiser(config.network);
  const trainer = new TeacherTrainer(
    network,
    run.data,
    {
      batchSize: config.batchSize,
      totalSteps: config.steps,
      learningRate: config.learningRate,
      warmupSteps: config.warmupSteps,
      emaDecay: config.emaDecay,
      labelDropout: config.labelDropout,
      seed: config.seed,
    },
    ema,
  );
  // Helper threads take slices of each batch: each runs its own tfjs on the same backend.
  const shards =
    run.threads > 1
      ? await startGradientWorkers({
          network,
          helpers: run.threads - 1,
          imports: [import.meta.resolve('@tensorflow/tfjs')],
          backend: { module: import.meta.resolve('@fdistill/backend'), name: run.backend },
        })
      : undefined;
  trainer.shareWork(shards);
  try {
    let secondsBefore = 0;
    if (resume) {
      const state = trainer.loadCheckpoint(checkpointFile(folder.file('checkpoint')));
      secondsBefore = typeof state.wallSeconds === 'number' ? state.wallSeconds : 0;
    }
    // A run killed after its last checkpoint logged steps that the resumed run takes again.
    folder.keepMetricsOfFirstSteps(trainer.steps);
    const events = folder.readMetrics() as unknown as TeacherStepEvent[];
    const started = performance.now();
    const wallSeconds = () => secondsBefore + (performance.now() - started) / 1000;
    const bar = new ProgressBar(config.steps, process.stderr, trainer.steps);
    const result = await runTraining(trainer, {
      totalSteps: config.steps,
      checkpoint: checkpointFile(folder.file('checkpoint')),
      checkpointEvery: config.checkpointEvery,
      ...(run.signal ? { signal: run.signal } : {}),
      checkpointState: {
        get wallSeconds() {
          return wallSeconds();
        },
      },
      onStep: async (event) => {
        events.push(event);
        folder.appendMetrics({ ...event });
        bar.update(
          event.step + 1,
          `loss ${event.loss.toFixed(4)} lr ${event.learningRate.toExponential(2)}`,
        );
        if ((event.step + 1) % config.sampleEvery === 0 && event.step + 1 < config.steps)
          await drawSampleGrid(ema, folder, config, event.step + 1, events);
      },
    });
    bar.finish();
    if (result.interrupted) return undefined;
    const samplingSeconds = await drawSampleGrid(ema, folder, config, config.steps, events);
    writeFileAtomically(
      folder.file('teacher'),
      ema.toSafetensors({ preset: config.preset, role: 'teacher' }),
    );
    const recent = events.slice(-200);
    const summary: ImageTeacherSummary = {
      preset: config.preset,
      steps: config.steps,
      parameters: network.parameters().reduce((sum, variable) => sum + variable.size, 0),
      nfe: 35,
      finalLoss: recent.reduce((sum, event) => sum + event.loss, 0) / Math.max(1, recent.length),
      secondsPerStep:
        events.reduce((sum, event) => sum + event.seconds, 0) / Math.max(1, events.length),
      samplingSecondsPerImage: samplingSeconds / (SAMPLES_PER_CLASS * FASHION_MNIST_CLASSES.length),
      backend: run.backend,
      threads: run.threads,
      wallSeconds: wallSeconds(),
    };
    folder.writeSummary(summary);
    return summary;
  } finally {
    shards?.dispose();
    trainer.dispose();
    network.dispose();
    ema.dispose();
  }
}
