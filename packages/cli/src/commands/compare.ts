import { join } from 'node:path';
import { DIVERGENCE_NAMES } from '@fdistill/divergence';
import { writeFileAtomically } from '@fdistill/trainer';
import { type BackendName, selectBackend } from '../backend.js';
import { divergenceNamed } from '../build-mixture-run.js';
import { resolveRunConfig } from '../load-config.js';
import { ConfigError, MIXTURE_PRESETS, type RunConfig } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { formatTable, type RunSummary } from '../summary.js';
import { numberFlag, parseCommandArgs } from '../usage-error.js';
import { distillMixtureRun, freeFolderName } from './distill.js';

/** The runs of `compare`: the GAN-only baseline, then every named f in paper Table 1's order. */
export const COMPARED_DIVERGENCES = ['gan-only', ...DIVERGENCE_NAMES] as const;

/** `fdistill compare --help`. */
export const COMPARE_HELP = `fdistill compare: train every f on one preset and print one table (like paper Table 2)

Usage: fdistill compare [--preset ring8] [options]

Options:
  --preset NAME        ${MIXTURE_PRESETS.join(' | ')} (default ring8)
  --config FILE        a JSON or YAML config applied to every run
  --steps N            steps per run (default: the preset's)
  --seed S             seed of every run (default 0)
  --divergences LIST   comma-separated subset of: ${COMPARED_DIVERGENCES.join(', ')}
  --out DIR            parent folder of the runs (default runs/compare-<preset>-seed<S>)
  --backend NAME       auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)

Each run gets its own run folder under --out; compare.json holds every summary.`;

/** Renders summaries as the comparison table. */
export function formatComparison(summaries: RunSummary[]): string {
  const modeSeeking = (name: string) =>
    name === 'gan-only' ? '' : divergenceNamed(name).modeSeeking;
  return formatTable(
    [
      'divergence',
      'mode-seeking',
      'modes',
      'high-quality',
      'mode KL',
      'precision',
      'recall',
      'mean log p',
      'seconds',
    ],
    summaries.map((summary) => [
      summary.divergence,
      modeSeeking(summary.divergence),
      `${summary.modesCaptured}/${summary.modesTotal}`,
      summary.highQualityShare.toFixed(3),
      summary.modeKlDivergence.toFixed(3),
      summary.precision.toFixed(3),
      summary.recall.toFixed(3),
      summary.studentMeanLogDensity.toFixed(2),
      summary.wallSeconds.toFixed(0),
    ]),
  );
}

/** Runs `fdistill compare`; returns the exit code. */
export async function compareCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('compare', args, {
    preset: { type: 'string' },
    config: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    divergences: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  });
  if (values.help) {
    console.log(COMPARE_HELP);
    return 0;
  }
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
  const flags: Partial<RunConfig> = {};
  const steps = numberFlag('steps', values.steps);
  if (steps !== undefined) flags.steps = steps;
  const seed = numberFlag('seed', values.seed);
  if (seed !== undefined) flags.seed = seed;
  const configs = divergences.map((divergence) =>
    resolveRunConfig({
      ...(values.preset === undefined ? {} : { preset: values.preset }),
      ...(values.config === undefined ? {} : { configPath: values.config }),
      flags: { ...flags, divergence },
    }),
  );
  const first = configs[0] as RunConfig;
  if (!(MIXTURE_PRESETS as readonly string[]).includes(first.preset)) {
    throw new ConfigError(
      `compare runs the mixture presets (${MIXTURE_PRESETS.join(', ')}), got ${first.preset}`,
    );
  }
  const parent =
    values.out ?? freeFolderName(join('runs', `compare-${first.preset}-seed${first.seed}`));
  const folders = configs.map((config) =>
    RunFolder.create(join(parent, config.divergence.replace(':', '')), config),
  );
  const backend = await selectBackend(values.backend as BackendName | 'auto');
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const summaries: RunSummary[] = [];
  for (const [index, config] of configs.entries()) {
    console.error(`[${index + 1}/${configs.length}] ${config.divergence}: ${config.steps} steps`);
    const summary = await distillMixtureRun({
      config,
      folder: folders[index] as RunFolder,
      backend: backend.name,
      resume: false,
    });
    if (summary === undefined) return 130;
    summaries.push(summary);
    writeFileAtomically(join(parent, 'compare.json'), `${JSON.stringify(summaries, null, 2)}\n`);
  }
  console.log(
    `${first.preset}, ${first.steps} steps per run, seed ${first.seed}, ${first.evaluationSamples} samples each\n`,
  );
  console.log(formatComparison(summaries));
  console.log(`\nwrote ${join(parent, 'compare.json')} and a run folder per divergence`);
  return 0;
}
