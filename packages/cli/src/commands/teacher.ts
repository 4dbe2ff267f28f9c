import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { MixtureName } from '@fdistill/trainer';
import { formatTable } from '@fdistill/utils';
import { FASHION_MNIST_PATH, fashionMnistSource } from '../fashion-mnist.js';
import {
  FASHION_MNIST_TEACHER_DEFAULTS,
  type ImageTeacherConfig,
} from '../image-teacher-config.js';
import { type ImageTeacherSummary, trainImageTeacher } from '../image-teacher-run.js';
import { withInterrupt } from '../interrupt.js';
import { type MixtureTeacherSummary, trainMixtureTeacher } from '../mixture-teacher-run.js';
import { ConfigError, MIXTURE_PRESETS } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { numberFlag, parseCommandArgs, threadsFlag, UsageError } from '../usage-error.js';

/** `fdistill teacher train --help`. */
export const TEACHER_HELP = `fdistill teacher train: train a score network by EDM denoising score matching

Usage: fdistill teacher train [--preset ring8] [options]
       fdistill teacher train --resume DIR [--steps N]

Options:
  --preset NAME     ${MIXTURE_PRESETS.join(' | ')}: an MLP denoiser on exact mixture samples (default ring8)
                    fashion-mnist: a class-conditional U-Net on Debian's Fashion-MNIST (28x28 padded
                    to 32x32; base 16, [1, 2, 2], 184,801 parameters; about an hour on wasm with
                    --threads 2 on a quiet 2-core machine)
  --steps N         training steps (default 3000; fashion-mnist 8000)
  --batch-size N    samples per step (default 256; fashion-mnist 64)
  --width N         MLP width (default 128); --depth N MLP depth (default 3)
  --learning-rate   peak learning rate, linear warm-up then cosine decay (default 2e-3)
  --seed S          seed (default 0)
  --data-path DIR   fashion-mnist: folder with the IDX files (default ${FASHION_MNIST_PATH})
  --out DIR         output folder (default runs/teacher-<preset>-seed<S>)
  --resume DIR      fashion-mnist: continue the run in DIR from its checkpoint (--steps may extend it)
  --backend NAME    auto | tensorflow-gpu | tensorflow | wasm | cpu
  --threads N       fashion-mnist: threads that share each batch (default: every core, ${availableParallelism()}
                    here); each thread runs its own tfjs on its slice, gradients are averaged

Writes teacher.safetensors (the EMA network with its config), checkpoint.safetensors,
metrics.jsonl, samples.png (mixtures: Heun 18-step teacher samples against exact ones;
fashion-mnist: a grid per class, one class per row, 35 NFE, redrawn every 1000 steps under
samples/) and summary.json; fashion-mnist also loss.png. Ctrl-C writes a checkpoint.`;

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
    resume: { type: 'string' },
    'data-path': { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
  });
  if (values.help) {
    console.log(TEACHER_HELP);
    return 0;
  }
  const preset = values.preset as string;
  if (preset === 'fashion-mnist' || values.resume !== undefined) return imageTeacherCommand(values);
  if (!(MIXTURE_PRESETS as readonly string[]).includes(preset)) {
    throw new ConfigError(
      `--preset must be one of ${[...MIXTURE_PRESETS, 'fashion-mnist'].join(', ')}, got "${preset}"`,
    );
  }
  if (values.threads !== undefined)
    throw new UsageError(
      '--threads applies to --preset fashion-mnist (the mixture MLPs train in seconds)',
    );
  const steps = integer('steps', values.steps, 3000);
  const batchSize = integer('batch-size', values['batch-size'], 256);
  const width = integer('width', values.width, 128);
  const depth = integer('depth', values.depth, 3);
  const seed = integer('seed', values.seed, 0, 0);
  const learningRate = numberFlag('learning-rate', values['learning-rate']) ?? 2e-3;
  if (!(learningRate > 0)) throw new UsageError(`--learning-rate must be > 0, got ${learningRate}`);
  const folder = RunFolder.create(
    values.out ?? join('runs', `teacher-${preset}-seed${seed}`),
    undefined,
    { resumable: false },
  );
  const backend = await selectCliBackend(values.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const result = await withInterrupt((signal) =>
    trainMixtureTeacher({
      preset: preset as MixtureName,
      steps,
      batchSize,
      width,
      depth,
      learningRate,
      seed,
      folder,
      signal,
    }),
  );
  if ('stoppedAt' in result) {
    console.error(
      `stopped at step ${result.stoppedAt}; checkpoint written to ${folder.file('checkpoint')}`,
    );
    return 130;
  }
  console.log(formatTeacherSummary(result.summary, (value) => value.toFixed(3)));
  return 0;
}

/** A teacher's summary as a two-column table, `decimals` writing its non-integer numbers. */
function formatTeacherSummary(
  summary: MixtureTeacherSummary | ImageTeacherSummary,
  decimals: (value: number) => string,
): string {
  return formatTable(
    ['metric', 'value'],
    Object.entries(summary).map(([key, value]) => [
      key,
      typeof value === 'number' && !Number.isInteger(value) ? decimals(value) : String(value),
    ]),
  );
}

function integer(name: string, value: string | undefined, fallback: number, minimum = 1): number {
  const parsed = numberFlag(name, value) ?? fallback;
  if (!(Number.isInteger(parsed) && parsed >= minimum))
    throw new UsageError(`--${name} must be an integer >= ${minimum}, got ${parsed}`);
  return parsed;
}

/** `fdistill teacher train --preset fashion-mnist` (or `--resume DIR`). */
async function imageTeacherCommand(
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  const text = (name: string) => values[name] as string | undefined;
  const resumeFolder = text('resume');
  let config: ImageTeacherConfig;
  let resumed: RunFolder | undefined;
  if (resumeFolder !== undefined) {
    for (const name of [
      'out',
      'batch-size',
      'learning-rate',
      'seed',
      'data-path',
      'width',
      'depth',
    ]) {
      if (values[name] !== undefined)
        throw new ConfigError(`--resume continues a run with its own config: leave out --${name}`);
    }
    const steps = text('steps') === undefined ? undefined : integer('steps', text('steps'), 1);
    const opened = RunFolder.openTeacher(resumeFolder, steps);
    resumed = opened.folder;
    config = opened.config;
  } else {
    for (const name of ['width', 'depth']) {
      if (values[name] !== undefined)
        throw new UsageError(
          `--${name} sizes the MLP of the mixture presets; the fashion-mnist U-Net is fixed by the preset`,
        );
    }
    const defaults = FASHION_MNIST_TEACHER_DEFAULTS;
    config = {
      ...defaults,
      steps: integer('steps', text('steps'), defaults.steps),
      batchSize: integer('batch-size', text('batch-size'), defaults.batchSize),
      learningRate: numberFlag('learning-rate', text('learning-rate')) ?? defaults.learningRate,
      seed: integer('seed', text('seed'), defaults.seed, 0),
      dataPath: text('data-path') ?? defaults.dataPath,
    };
    if (!(config.learningRate > 0))
      throw new UsageError(`--learning-rate must be > 0, got ${config.learningRate}`);
  }
  const threads = threadsFlag(text('threads'));
  const backend = await selectCliBackend(text('backend'));
  // Read first: missing or bad data stops the command before a new run's folder is written.
  const data = fashionMnistSource(config.dataPath, 'train');
  const folder =
    resumed ??
    RunFolder.create(
      text('out') ?? join('runs', `teacher-fashion-mnist-seed${config.seed}`),
      config,
    );
  console.error(
    `backend: ${backend.name} (${backend.reason}), ${threads} thread${threads === 1 ? '' : 's'}`,
  );
  console.error(`run folder: ${folder.path}${resumeFolder === undefined ? '' : ' (resuming)'}`);
  const summary = await withInterrupt((signal) =>
    trainImageTeacher({
      config,
      data,
      folder,
      resume: resumed !== undefined,
      backend: backend.name,
      threads,
      signal,
    }),
  );
  if (summary === undefined) {
    console.error(
      `checkpoint written; continue with: fdistill teacher train --resume ${folder.path}`,
    );
    return 130;
  }
  console.log(formatTeacherSummary(summary, (value) => value.toPrecision(4)));
  console.log(
    `\nwrote ${folder.file('teacher')}, ${folder.file('samples')} and ${folder.file('summary')}`,
  );
  return 0;
}
