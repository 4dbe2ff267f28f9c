import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkRunInputs, distillRun, freeFolderName } from '../distill-run.js';
import { withInterrupt } from '../interrupt.js';
import { resolveRunConfig } from '../load-config.js';
import { PRESET_DESCRIPTIONS } from '../presets.js';
import { ConfigError, PRESET_NAMES, type RunConfig, type RunConfigFields } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { numberFlag, parseCommandArgs, threadsFlag, threadsOnBackend } from '../usage-error.js';

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
  --threads N         threads that share each step (default: every core, ${availableParallelism()} here); each
                      runs its own tfjs on its slice of the batch; a run may resume with another N
  -h, --help          this help

The run folder gets config.json, checkpoint.safetensors (every checkpointEvery steps, at the end
and on Ctrl-C), metrics.jsonl (one line per step), samples.png (teacher against student) and
summary.json. Ctrl-C (or SIGTERM) stops after the current step, writes a checkpoint and prints how to resume.`;

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
    threads: { type: 'string' },
  });
  if (values.help) {
    console.log(DISTILL_HELP);
    return 0;
  }
  const requestedThreads = threadsFlag(values.threads);
  // First, so that the checks below (which load the image teacher) run on the chosen backend.
  const backend = await selectCliBackend(values.backend);
  const threads = threadsOnBackend(requestedThreads, values.threads !== undefined, backend.name);
  const flags: RunConfigFields = {};
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
    checkRunInputs(config);
    folder = RunFolder.create(
      values.out ??
        freeFolderName(
          join('runs', `${config.preset}-${config.divergence.replace(':', '')}-seed${config.seed}`),
        ),
      config,
    );
  }
  console.error(
    `backend: ${backend.name} (${backend.reason}), ${threads} thread${threads === 1 ? '' : 's'}`,
  );
  console.error(`run folder: ${folder.path}${resume ? ' (resuming)' : ''}`);

  return withInterrupt(async (signal) => {
    const finished = await distillRun({
      config,
      folder,
      backend: backend.name,
      threads,
      resume,
      signal,
    });
    if (finished === undefined) {
      console.error(
        existsSync(folder.file('checkpoint'))
          ? `checkpoint written; continue with: fdistill distill --resume ${folder.path}`
          : `stopped during the warm start, before the first checkpoint: nothing to resume; remove ${folder.path} and start again`,
      );
      return 130;
    }
    console.log(finished.table);
    console.log(`\nwrote ${folder.file('samples')} and ${folder.file('summary')}`);
    return 0;
  });
}
