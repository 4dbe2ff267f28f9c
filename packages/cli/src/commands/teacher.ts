import { appendFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { meanMixtureLogDensity, mixtureModeMetrics, scatterPlotPng } from '@fdistill/eval';
import { heunSampler, MlpDenoiser } from '@fdistill/score';
import { mixtureSource, runTraining, TeacherTrainer, writeFileAtomically } from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';
import { type BackendName, selectBackend } from '../backend.js';
import { mixtureOfPreset } from '../presets.js';
import { ProgressBar } from '../progress-bar.js';
import { ConfigError, MIXTURE_PRESETS } from '../run-config.js';
import { formatTable } from '../summary.js';
import { numberFlag, parseCommandArgs, UsageError } from '../usage-error.js';

/** `fdistill teacher train --help`. */
export const TEACHER_HELP = `fdistill teacher train: train a score network by EDM denoising score matching

Usage: fdistill teacher train [--preset ring8] [options]

Options:
  --preset NAME     ${MIXTURE_PRESETS.join(' | ')}: an MLP denoiser on exact mixture samples (default ring8)
  --steps N         training steps (default 3000)
  --batch-size N    samples per step (default 256)
  --width N         MLP width (default 128); --depth N MLP depth (default 3)
  --learning-rate   peak learning rate, linear warm-up then cosine decay (default 2e-3)
  --seed S          seed (default 0)
  --out DIR         output folder (default runs/teacher-<preset>-seed<S>)
  --backend NAME    auto | tensorflow-gpu | tensorflow | wasm | cpu

Writes teacher.safetensors (the EMA network with its config), checkpoint.safetensors,
metrics.jsonl, samples.png (Heun 18-step teacher samples against exact ones) and summary.json.`;

/** Runs `fdistill teacher <subcommand>`; returns the exit code. */
export async function teacherCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === '--help' || subcommand === '-h' || subcommand === undefined) {
    console.log(TEACHER_HELP);
    return subcommand === undefined ? 2 : 0;
  }
  if (subcommand !== 'train')
    throw new UsageError(`fdistill teacher: unknown subcommand "${subcommand}"; expected: train`);
  const { values } = parseCommandArgs('teacher train', rest, {
    preset: { type: 'string', default: 'ring8' },
    steps: { type: 'string' },
    'batch-size': { type: 'string' },
    width: { type: 'string' },
    depth: { type: 'string' },
    'learning-rate': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  });
  if (values.help) {
    console.log(TEACHER_HELP);
    return 0;
  }
  const preset = values.preset as string;
  if (!(MIXTURE_PRESETS as readonly string[]).includes(preset)) {
    throw new ConfigError(
      `--preset must be one of ${MIXTURE_PRESETS.join(', ')} for teacher training here (U-Net teachers need a fast backend), got "${preset}"`,
    );
  }
  const integer = (name: string, value: string | undefined, fallback: number, minimum = 1) => {
    const parsed = numberFlag(name, value) ?? fallback;
    if (!(Number.isInteger(parsed) && parsed >= minimum))
      throw new UsageError(`--${name} must be an integer >= ${minimum}, got ${parsed}`);
    return parsed;
  };
  const steps = integer('steps', values.steps, 3000);
  const batchSize = integer('batch-size', values['batch-size'], 256);
  const width = integer('width', values.width, 128);
  const depth = integer('depth', values.depth, 3);
  const seed = integer('seed', values.seed, 0, 0);
  const learningRate = numberFlag('learning-rate', values['learning-rate']) ?? 2e-3;
  if (!(learningRate > 0)) throw new UsageError(`--learning-rate must be > 0, got ${learningRate}`);
  const out = values.out ?? join('runs', `teacher-${preset}-seed${seed}`);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new ConfigError(`--out ${out} already holds files; choose another --out`);
  }
  const backend = await selectBackend(values.backend as BackendName | 'auto');
  console.error(`backend: ${backend.name} (${backend.reason})`);
  mkdirSync(out, { recursive: true });
  const mixture = mixtureOfPreset(preset as 'ring8' | 'grid25');
  const network = new MlpDenoiser({ dim: mixture.dim, width, depth, seed });
  const ema = new MlpDenoiser({ dim: mixture.dim, width, depth, seed });
  const trainer = new TeacherTrainer(
    network,
    mixtureSource(mixture),
    { batchSize, totalSteps: steps, learningRate, seed },
    ema,
  );
  const bar = new ProgressBar(steps);
  const started = performance.now();
  await runTraining(trainer, {
    totalSteps: steps,
    checkpointPath: join(out, 'checkpoint.safetensors'),
    checkpointEvery: 1000,
    onStep: (event) => {
      appendFileSync(join(out, 'metrics.jsonl'), `${JSON.stringify(event)}\n`);
      bar.update(
        event.step + 1,
        `loss ${event.loss.toFixed(4)} lr ${event.learningRate.toExponential(2)}`,
      );
    },
  });
  bar.finish();
  writeFileAtomically(join(out, 'teacher.safetensors'), ema.toSafetensors());
  const count = 2500;
  const { samples, networkEvaluations } = heunSampler(ema, {
    steps: 18,
    seed: seed + 7,
    shape: [count, mixture.dim],
  });
  const teacherSamples = samples.arraySync() as number[][];
  const exact = tf.tidy(() => mixture.sample(count, seed + 8).arraySync() as number[][]);
  samples.dispose();
  const modes = mixtureModeMetrics(teacherSamples, mixture);
  const summary = {
    preset,
    steps,
    nfe: networkEvaluations,
    modesCaptured: modes.modesCaptured,
    modesTotal: mixture.weights.length,
    highQualityShare: modes.highQualityFraction,
    modeKlDivergence: modes.modeKlDivergence,
    meanLogDensity: meanMixtureLogDensity(teacherSamples, mixture),
    exactMeanLogDensity: meanMixtureLogDensity(exact, mixture),
    wallSeconds: (performance.now() - started) / 1000,
  };
  writeFileAtomically(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomically(
    join(out, 'samples.png'),
    scatterPlotPng(
      { teacher: exact, student: teacherSamples, modeCentres: mixture.means },
      {
        title: `${preset} teacher, Heun 18 steps`,
        labels: { teacher: 'exact', student: 'teacher' },
      },
    ),
  );
  console.log(
    formatTable(
      ['metric', 'value'],
      Object.entries(summary).map(([key, value]) => [
        key,
        typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(3) : String(value),
      ]),
    ),
  );
  for (const module of [network, ema]) module.dispose();
  trainer.dispose();
  return 0;
}
