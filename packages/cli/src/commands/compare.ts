import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from '@fdistill/trainer/node';
import {
  COMPARED_DIVERGENCES,
  type Comparison,
  comparisonChartPng,
  formatComparison,
  formatTestTables,
  summarizeComparison,
} from '../comparison.js';
import { type ComparedRunState, openComparedRun } from '../comparison-folders.js';
import { checkRunInputs, distillRun, freeFolderName } from '../distill-run.js';
import { withInterrupt } from '../interrupt.js';
import { resolveRunConfig } from '../load-config.js';
import { ConfigError, PRESET_NAMES, type RunConfigFields } from '../run-config.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { numberFlag, parseCommandArgs, threadsFlag, threadsOnBackend } from '../usage-error.js';

/** `fdistill compare --help`. */
export const COMPARE_HELP = `fdistill compare: train every f on one preset over seeds and print one table (like paper Table 2)

Usage: fdistill compare [--preset ring8] [options]

Options:
  --preset NAME        ${PRESET_NAMES.join(' | ')} (default ring8)
  --config FILE        a JSON or YAML config applied to every run
  --steps N            steps per run (default: the preset's)
  --seeds N            seeds per divergence (default 1): seed S, S + 1, ..., S + N - 1
  --seed S             first seed (default 0)
  --divergences LIST   comma-separated subset of: ${COMPARED_DIVERGENCES.join(', ')}
  --out DIR            parent folder of the runs (default runs/compare-<preset>-seed<S>[-<S+N-1>])
  --resume             continue the comparison in --out (same flags): finished runs are kept,
                       runs with a checkpoint resume, the others start
  --backend NAME       auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)
  --threads N          threads that share each step of each run (default: every core, ${availableParallelism()} here)

Each run gets its own run folder <divergence>-seed<k> under --out. The table shows the mean and,
with several seeds, ± the sample standard deviation, then each f against reverse-kl per metric
as t (two-sided p): Welch's test of the means, then the paired test seed by seed (the runs of
one seed share its initialization, warm start and evaluation latents); compare.json holds every run's summary and
the statistics, compare.png a bar chart of them with error bars.`;

/** Runs `fdistill compare`; returns the exit code. */
export async function compareCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('compare', args, {
    preset: { type: 'string' },
    config: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    divergences: { type: 'string' },
    out: { type: 'string' },
    resume: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
  });
  if (values.help) {
    console.log(COMPARE_HELP);
    return 0;
  }
  const requestedThreads = threadsFlag(values.threads);
  const divergences = values.divergences?.split(',').map((name) => name.trim()) ?? [
    ...COMPARED_DIVERGENCES,
  ];
  for (const name of divergences) {
    if (!(COMPARED_DIVERGENCES as readonly string[]).includes(name)) {
      throw new ConfigError(
        `--divergences: unknown "${name}"; expected a comma-separated subset of ${COMPARED_DIVERGENCES.join(', ')}`,
      );
    }
  }
  const resume = values.resume as boolean;
  if (resume && values.out === undefined) {
    throw new ConfigError('--resume continues the comparison in --out DIR: give --out');
  }
  const seedCount = numberFlag('seeds', values.seeds) ?? 1;
  if (!Number.isInteger(seedCount) || seedCount < 1) {
    throw new ConfigError(`--seeds must be an integer >= 1, got ${values.seeds}`);
  }
  const flags: RunConfigFields = {};
  const steps = numberFlag('steps', values.steps);
  if (steps !== undefined) flags.steps = steps;
  const seed = numberFlag('seed', values.seed);
  if (seed !== undefined) flags.seed = seed;
  const base = resolveRunConfig({
    ...(values.preset === undefined ? {} : { preset: values.preset }),
    ...(values.config === undefined ? {} : { configPath: values.config }),
    flags,
  });
  // Fail on missing or bad data or a bad teacher before any folder is written.
  checkRunInputs(base);
  const seeds = Array.from({ length: seedCount }, (_, index) => base.seed + index);
  const configs = divergences.flatMap((divergence) =>
    seeds.map((seed) => ({ ...base, divergence, seed })),
  );
  const lastSeed = seeds[seeds.length - 1] as number;
  const parent =
    values.out ??
    freeFolderName(
      join('runs', `compare-${base.preset}-seed${base.seed}${seedCount > 1 ? `-${lastSeed}` : ''}`),
    );
  const backend = await selectCliBackend(values.backend);
  const threads = threadsOnBackend(requestedThreads, values.threads !== undefined, backend.name);
  const folders = configs.map((config) =>
    openComparedRun(
      join(parent, `${config.divergence.replace(':', '')}-seed${config.seed}`),
      config,
      resume,
    ),
  );
  console.error(
    `backend: ${backend.name} (${backend.reason}), ${threads} thread${threads === 1 ? '' : 's'}`,
  );
  const runs: Comparison['runs'] = [];
  const writeComparison = () => {
    const comparison = summarizeComparison(base, seeds, divergences, runs);
    writeFileAtomically(join(parent, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`);
    return comparison;
  };
  for (const [index, config] of configs.entries()) {
    const run = folders[index] as ComparedRunState;
    const title = `[${index + 1}/${configs.length}] ${config.divergence}, seed ${config.seed}`;
    if (run.state === 'finished') {
      console.error(`${title}: finished before, summary kept`);
      runs.push({ ...run.summary, divergence: config.divergence, seed: config.seed });
      continue;
    }
    console.error(`${title}: ${config.steps} steps${run.state === 'resume' ? ' (resuming)' : ''}`);
    // Ctrl-C or SIGTERM: the run finishes its current step and writes a checkpoint.
    const finished = await withInterrupt((signal) =>
      distillRun({
        config,
        folder: run.folder,
        backend: backend.name,
        threads,
        resume: run.state === 'resume',
        signal,
      }),
    );
    if (finished === undefined) {
      console.error(
        `stopped; continue the comparison with the same flags and --resume (--out ${parent})`,
      );
      return 130;
    }
    runs.push({ ...finished.summary, seed: config.seed });
    writeComparison();
  }
  // Also when every run had finished before (`--resume` of a finished comparison).
  const comparison = writeComparison();
  writeFileAtomically(join(parent, 'compare.png'), comparisonChartPng(comparison));
  console.log(
    `${base.preset}, ${base.steps} steps per run, seeds ${seeds.join(', ')}, ${base.evaluationSamples} samples each${seedCount > 1 ? '; mean ± sample standard deviation over seeds' : ''}\n`,
  );
  console.log(formatComparison(comparison));
  const tests = formatTestTables(comparison);
  if (tests !== undefined) console.log(`\n${tests}`);
  console.log(
    `\nwrote ${join(parent, 'compare.json')}, ${join(parent, 'compare.png')} and a run folder per divergence and seed`,
  );
  return 0;
}
