import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Distiller, type DistillStepEvent, distill } from '@fdistill/trainer';
import { checkpointFile } from '@fdistill/trainer/node';
import {
  buildImageRun,
  loadImageTeacher,
  SHIPPED_FASHION_MNIST_TEACHER,
} from '../build-image-run.js';
import { buildMixtureRunOfConfig } from '../build-mixture-run.js';
import { evaluateMixtureModes } from '../evaluate-mixture.js';
import { checkFashionMnistFiles } from '../fashion-mnist.js';
import { withInterrupt } from '../interrupt.js';
import { resolveRunConfig } from '../load-config.js';
import { PRESET_DESCRIPTIONS } from '../presets.js';
import { ProgressBar } from '../progress-bar.js';
import { ConfigError, PRESET_NAMES, type RunConfig } from '../run-config.js';
import { RUN_FOLDER_VERSION, RunFolder } from '../run-folder.js';
import { selectCliBackend } from '../select-cli-backend.js';
import {
  formatImageSummary,
  type ImageRunSummary,
  summarizeImageRun,
} from '../summarize-image-run.js';
import { formatSummary, type RunSummary, summarizeMixtureRun } from '../summary.js';
import { numberFlag, parseCommandArgs } from '../usage-error.js';

/** `fdistill distill --help`. */
export const DISTILL_HELP = `fdistill distill: train a one-step student from a teacher by f-divergence distribution matching

Usage: fdistill distill [options]

Options:
  --preset NAME       ${PRESET_NAMES.join(' | ')} (default ring8)
${PRESET_NAMES.map((name) => `                        ${name}: ${PRESET_DESCRIPTIONS[name]}`).join('\n')}
  --config FILE       a JSON or YAML config (fields override the preset; flags override both)
  --divergence NAME   reverse-kl | softened-rkl | js | squared-hellinger | forward-kl | jeffreys |
                      pearson | neyman | alpha:<a> | gan-only   (default js)
  --steps N           distillation steps after the warm start (default 1000 on ring8)
  --seed S            run seed (default 0)
  --out DIR           run folder (default runs/<preset>-<divergence>-seed<S>, or -2, -3, ... if taken)
  --resume DIR        continue the run in DIR from its checkpoint (--steps may extend it)
  --teacher FILE      fashion-mnist: a teacher.safetensors written by fdistill teacher train
                      (default the shipped teacher; the same as teacherPath in a config)
  --backend NAME      auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)
  -h, --help          this help

The run folder gets config.json, checkpoint.safetensors (every checkpointEvery steps, at the end
and on Ctrl-C), metrics.jsonl (one line per step), samples.png (teacher against student) and
summary.json. Ctrl-C (or SIGTERM) stops after the current step, writes a checkpoint and prints how to resume.`;

/** Options of `distill` shared with `compare`. */
export interface DistillRunOptions {
  config: RunConfig;
  folder: RunFolder;
  backend: string;
  resume: boolean;
  /** Where progress goes; default stderr. */
  progress?: NodeJS.WriteStream;
  signal?: AbortSignal;
}

/** How a run is trained and measured, by preset kind. */
interface RunKind<Run, Summary> {
  build(config: RunConfig): Run & { distiller: Distiller; dispose(): void };
  summarize(
    run: Run,
    config: RunConfig,
    folder: RunFolder,
    context: { backend: string; wallSeconds: number; report: (line: string) => void },
  ): Summary | Promise<Summary>;
  /** Measures the run mid-training (every `config.evaluationEvery` steps), if the kind can. */
  evaluate?(run: Run, config: RunConfig): object;
}

/**
 * Trains (or continues) one run to `config.steps`, with a progress bar and metrics.jsonl, then
 * measures it with `kind.summarize`. Returns the summary, or `undefined` when interrupted.
 */
async function trainAndSummarize<Run, Summary>(
  kind: RunKind<Run, Summary>,
  options: DistillRunOptions,
): Promise<Summary | undefined> {
  const { config, folder, backend, resume, signal } = options;
  const started = performance.now();
  const run = kind.build(config);
  try {
    let secondsBefore = 0;
    const wallSeconds = () => secondsBefore + (performance.now() - started) / 1000;
    const stream = options.progress ?? process.stderr;
    let bar: ProgressBar | undefined;
    let lastGenerator: DistillStepEvent | undefined;
    const onStep = (event: DistillStepEvent) => {
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
      if (kind.evaluate && config.evaluationEvery > 0 && done % config.evaluationEvery === 0) {
        folder.appendMetrics({ step: done, phase: 'evaluation', ...kind.evaluate(run, config) });
      }
    };
    const result = await distill(run.distiller, {
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
      warmStart: config,
      onWarmStart: () =>
        stream.write(
          `warm start: fitting the student to the teacher's sampler (${config.studentWarmStartSteps} updates), then the fake score to the student (${config.fakeScorePrefitSteps})\n`,
        ),
      ...(signal ? { signal } : {}),
    });
    bar?.finish();
    if (result.interrupted) return undefined;
    return await kind.summarize(run, config, folder, {
      backend,
      wallSeconds: wallSeconds(),
      report: (line) => stream.write(`${line}\n`),
    });
  } finally {
    run.dispose();
  }
}

/** Trains (or continues) one mixture run and measures it against the exact teacher. */
export function distillMixtureRun(options: DistillRunOptions): Promise<RunSummary | undefined> {
  return trainAndSummarize(
    {
      build: buildMixtureRunOfConfig,
      summarize: summarizeMixtureRun,
      evaluate: (run, config) =>
        evaluateMixtureModes(run.distiller, run.studentEma, run.teacher, 1000, config.seed),
    },
    options,
  );
}

/** Trains (or continues) one Fashion-MNIST run and measures student and teacher with the classifier. */
export function distillImageRun(options: DistillRunOptions): Promise<ImageRunSummary | undefined> {
  return trainAndSummarize({ build: buildImageRun, summarize: summarizeImageRun }, options);
}

/** `base`, or `base-2`, `base-3`, ... : the first that does not exist yet (default run folders). */
export function freeFolderName(base: string): string {
  let candidate = base;
  for (let index = 2; existsSync(candidate); index++) candidate = `${base}-${index}`;
  return candidate;
}

/** Runs `fdistill distill`; returns the exit code. */
export async function distillCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('distill', args, {
    preset: { type: 'string' },
    config: { type: 'string' },
    divergence: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    resume: { type: 'string' },
    teacher: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  });
  if (values.help) {
    console.log(DISTILL_HELP);
    return 0;
  }
  // First, so that the checks below (which load the image teacher) run on the chosen backend.
  const backend = await selectCliBackend(values.backend);
  const flags: Partial<RunConfig> = {};
  if (values.divergence !== undefined) flags.divergence = values.divergence;
  const steps = numberFlag('steps', values.steps);
  if (steps !== undefined) flags.steps = steps;
  const seed = numberFlag('seed', values.seed);
  if (seed !== undefined) flags.seed = seed;
  if (values.teacher !== undefined) flags.teacherPath = values.teacher;

  let config: RunConfig;
  let folder: RunFolder;
  const resume = values.resume !== undefined;
  if (resume) {
    if (
      values.preset !== undefined ||
      values.config !== undefined ||
      values.out !== undefined ||
      values.teacher !== undefined
    ) {
      throw new ConfigError(
        '--resume continues a run with its own config: leave out --preset, --config, --out and --teacher',
      );
    }
    const opened = RunFolder.open(values.resume as string);
    config = resolveRunConfig({
      preset: opened.config.preset,
      flags: { ...opened.config, ...flags },
    });
    folder = opened.folder;
    // A bad, foreign or other-version checkpoint stops here, before the folder changes.
    folder.checkCheckpoint(config);
  } else {
    config = resolveRunConfig({
      ...(values.preset === undefined ? {} : { preset: values.preset }),
      ...(values.config === undefined ? {} : { configPath: values.config }),
      flags,
    });
    if (config.preset === 'fashion-mnist') {
      // Fail on missing or bad data or a bad teacher before any folder is written.
      checkFashionMnistFiles(config.dataPath as string, 'train');
      loadImageTeacher(config.teacherPath ?? SHIPPED_FASHION_MNIST_TEACHER).dispose();
    }
    folder = RunFolder.create(
      values.out ??
        freeFolderName(
          join('runs', `${config.preset}-${config.divergence.replace(':', '')}-seed${config.seed}`),
        ),
      config,
    );
  }
  console.error(`backend: ${backend.name} (${backend.reason})`);
  console.error(`run folder: ${folder.path}${resume ? ' (resuming)' : ''}`);

  return withInterrupt(async (signal) => {
    const runOptions = { config, folder, backend: backend.name, resume, signal };
    const image = config.preset === 'fashion-mnist';
    const summary = image ? await distillImageRun(runOptions) : await distillMixtureRun(runOptions);
    if (summary === undefined) {
      console.error(`checkpoint written; continue with: fdistill distill --resume ${folder.path}`);
      return 130;
    }
    console.log(
      image ? formatImageSummary(summary as ImageRunSummary) : formatSummary(summary as RunSummary),
    );
    console.log(`\nwrote ${folder.file('samples')} and ${folder.file('summary')}`);
    return 0;
  });
}
