import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartPng, sampleGridPng } from '@fdistill/eval';
import { UNetDenoiser } from '@fdistill/score';
import { runTraining, type TeacherStepEvent, TeacherTrainer } from '@fdistill/trainer';
import { checkpointFile, startGradientWorkers, writeFileAtomically } from '@fdistill/trainer/node';
import { formatTable } from '@fdistill/utils';
import { FASHION_MNIST_CLASSES, fashionMnistSource } from '../fashion-mnist.js';
import { labelsByClass, teacherSamplesFor } from '../image-samplers.js';
import { type ImageTeacherConfig, validateImageTeacherConfig } from '../image-teacher-config.js';
import { withInterrupt } from '../interrupt.js';
import { ProgressBar } from '../progress-bar.js';
import { ConfigError } from '../run-config.js';

/** The files of an image teacher run folder. */
export const TEACHER_RUN_FILES = {
  config: 'config.json',
  checkpoint: 'checkpoint.safetensors',
  metrics: 'metrics.jsonl',
  loss: 'loss.png',
  samples: 'samples.png',
  teacher: 'teacher.safetensors',
  summary: 'summary.json',
} as const;

/** Samples per class in the teacher's sample grid. */
const SAMPLES_PER_CLASS = 8;

/** What `trainImageTeacher` is asked to do. */
export interface ImageTeacherRun {
  config: ImageTeacherConfig;
  folder: string;
  resume: boolean;
  backend: string;
  /** Threads sharing each batch (1: this thread alone). */
  threads: number;
}

/**
 * Opens an image teacher run folder for `--resume`: its config (validated), with `steps`
 * replaced when given.
 */
export function openImageTeacherRun(folder: string, steps: number | undefined): ImageTeacherConfig {
  const configPath = join(folder, TEACHER_RUN_FILES.config);
  if (!existsSync(configPath))
    throw new ConfigError(`${folder} is not a teacher run folder (no config.json)`);
  if (!existsSync(join(folder, TEACHER_RUN_FILES.checkpoint)))
    throw new ConfigError(`--resume ${folder}: the run has no checkpoint yet`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${configPath} is not JSON: ${(error as Error).message}`);
  }
  const config = validateImageTeacherConfig(parsed, configPath);
  return steps === undefined ? config : { ...config, steps };
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

/** The step events already in metrics.jsonl before `step` (the rest, after a crash, is dropped). */
function metricsBefore(path: string, step: number): TeacherStepEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TeacherStepEvent)
    .filter((event) => event.step < step);
}

/**
 * Trains (or resumes) the Fashion-MNIST teacher: EDM denoising score matching of a
 * class-conditional U-Net, with a progress bar, periodic atomic checkpoints, Ctrl-C checkpoint,
 * metrics.jsonl, a loss curve, a per-class sample grid every `sampleEvery` steps and at the end,
 * the EMA teacher (teacher.safetensors) and summary.json. Returns the exit code.
 */
export async function trainImageTeacher(run: ImageTeacherRun): Promise<number> {
  const { config, folder, resume } = run;
  const file = (name: keyof typeof TEACHER_RUN_FILES) => join(folder, TEACHER_RUN_FILES[name]);
  const source = fashionMnistSource(config.dataPath, 'train');
  // The command has checked that a new run's folder is empty.
  mkdirSync(folder, { recursive: true });
  writeFileAtomically(file('config'), `${JSON.stringify(config, null, 2)}\n`);
  mkdirSync(join(folder, 'samples'), { recursive: true });
  const network = new UNetDenoiser(config.network);
  const ema = new UNetDenoiser(config.network);
  const trainer = new TeacherTrainer(
    network,
    source,
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
          maxShardSize: config.batchSize,
          imports: [import.meta.resolve('@tensorflow/tfjs')],
          backend: { module: import.meta.resolve('@fdistill/backend'), name: run.backend },
        })
      : undefined;
  trainer.shareWork(shards);
  try {
    let secondsBefore = 0;
    if (resume) {
      const state = trainer.loadCheckpoint(checkpointFile(file('checkpoint')));
      secondsBefore = typeof state.wallSeconds === 'number' ? state.wallSeconds : 0;
    }
    const events = metricsBefore(file('metrics'), trainer.steps);
    writeFileAtomically(
      file('metrics'),
      events.map((event) => `${JSON.stringify(event)}\n`).join(''),
    );
    const started = performance.now();
    const wallSeconds = () => secondsBefore + (performance.now() - started) / 1000;
    const drawSamples = (step: number) => {
      const { samples, seconds } = teacherSamplesFor(
        ema,
        labelsByClass(FASHION_MNIST_CLASSES.length, SAMPLES_PER_CLASS),
        config.seed + 7,
      );
      const png = sampleGridPng(samples, { columns: SAMPLES_PER_CLASS, scale: 2 });
      samples.dispose();
      writeFileAtomically(
        join(folder, 'samples', `step-${String(step).padStart(6, '0')}.png`),
        png,
      );
      writeFileAtomically(file('samples'), png);
      const curve = smoothedLosses(events, 50);
      if (curve.steps.length >= 2) {
        writeFileAtomically(
          file('loss'),
          lineChartPng(
            { name: 'DSM loss (mean of 50 steps)', ...curve },
            { title: 'Fashion-MNIST teacher' },
          ),
        );
      }
      return seconds;
    };
    const bar = new ProgressBar(config.steps, process.stderr, trainer.steps);
    const result = await withInterrupt((signal) =>
      runTraining(trainer, {
        totalSteps: config.steps,
        checkpoint: checkpointFile(file('checkpoint')),
        checkpointEvery: config.checkpointEvery,
        signal,
        checkpointState: {
          get wallSeconds() {
            return wallSeconds();
          },
        },
        onStep: (event) => {
          events.push(event);
          appendFileSync(file('metrics'), `${JSON.stringify(event)}\n`);
          bar.update(
            event.step + 1,
            `loss ${event.loss.toFixed(4)} lr ${event.learningRate.toExponential(2)}`,
          );
          if ((event.step + 1) % config.sampleEvery === 0 && event.step + 1 < config.steps)
            drawSamples(event.step + 1);
        },
      }),
    );
    bar.finish();
    if (result.interrupted) {
      console.error(`checkpoint written; continue with: fdistill teacher train --resume ${folder}`);
      return 130;
    }
    const samplingSeconds = drawSamples(config.steps);
    writeFileAtomically(
      file('teacher'),
      ema.toSafetensors({ preset: config.preset, role: 'teacher' }),
    );
    const recent = events.slice(-200);
    const summary = {
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
    writeFileAtomically(file('summary'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      formatTable(
        ['metric', 'value'],
        Object.entries(summary).map(([key, value]) => [
          key,
          typeof value === 'number' && !Number.isInteger(value)
            ? value.toPrecision(4)
            : String(value),
        ]),
      ),
    );
    console.log(`\nwrote ${file('teacher')}, ${file('samples')} and ${file('summary')}`);
    return 0;
  } finally {
    shards?.dispose();
    trainer.dispose();
    network.dispose();
    ema.dispose();
  }
}
