import { join } from 'node:path';
import { DIVERGENCE_NAMES } from '@fdistill/divergence';
import { barChartPng } from '@fdistill/eval';
import { divergenceOfSettings } from '@fdistill/trainer';
import { writeFileAtomically } from '@fdistill/trainer/node';
import { formatTable } from '@fdistill/utils';
import { loadImageTeacher, SHIPPED_FASHION_MNIST_TEACHER } from '../build-image-run.js';
import {
  aggregateRuns,
  type ComparedMetric,
  formatMeanAndSpread,
  type MeanAndSpread,
  welchT,
} from '../compare-statistics.js';
import { fashionMnistFiles } from '../fashion-mnist.js';
import { resolveRunConfig } from '../load-config.js';
import { ConfigError, PRESET_NAMES, type RunConfig } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { numberFlag, parseCommandArgs } from '../usage-error.js';
import { distillImageRun, distillMixtureRun, freeFolderName } from './distill.js';

/** The runs of `compare`: the GAN-only baseline, then every named f in paper Table 1's order. */
export const COMPARED_DIVERGENCES = ['gan-only', ...DIVERGENCE_NAMES] as const;

/** What `compare` reports for the mixture presets. */
export const MIXTURE_COMPARED_METRICS: readonly ComparedMetric[] = [
  { key: 'modesCaptured', title: 'modes', digits: 1, charted: false },
  { key: 'highQualityShare', title: 'high-quality', digits: 3, charted: true },
  { key: 'modeKlDivergence', title: 'mode KL', digits: 3, charted: true },
  { key: 'precision', title: 'precision', digits: 3, charted: true },
  { key: 'recall', title: 'recall', digits: 3, charted: true },
  { key: 'studentMeanLogDensity', title: 'mean log p', digits: 2, charted: false },
  { key: 'wallSeconds', title: 'seconds', digits: 0, charted: false },
];

/** What `compare` reports for the image preset. */
export const IMAGE_COMPARED_METRICS: readonly ComparedMetric[] = [
  { key: 'domainFid', title: 'domain-FID', digits: 1, charted: false },
  { key: 'precision', title: 'precision', digits: 3, charted: true },
  { key: 'recall', title: 'recall', digits: 3, charted: true },
  { key: 'classesCovered', title: 'classes', digits: 1, charted: false },
  { key: 'classKl', title: 'class KL', digits: 3, charted: true },
  { key: 'labelAccuracy', title: 'label accuracy', digits: 3, charted: true },
  { key: 'wallSeconds', title: 'seconds', digits: 0, charted: false },
];

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
  --backend NAME       auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)

Each run gets its own run folder <divergence>-seed<k> under --out. The table shows the mean and,
with several seeds, ± the sample standard deviation, then each f's Welch t against reverse-kl
per metric; compare.json holds every run's summary and
the statistics, compare.png a bar chart of them with error bars.`;

/** The statistics of one divergence over its seeds. */
export interface ComparedDivergence {
  divergence: string;
  seeds: number[];
  metrics: Record<string, MeanAndSpread>;
}

/** compare.json: every run (with its seed) and the statistics per divergence. */
export interface Comparison {
  preset: string;
  steps: number;
  seeds: number[];
  evaluationSamples: number;
  runs: (Record<string, unknown> & { divergence: string; seed: number })[];
  divergences: ComparedDivergence[];
}

/** Renders a comparison as its table: one row per divergence, mean (± spread) per metric. */
export function formatComparison(comparison: Comparison): string {
  const metrics = comparedMetricsOf(comparison.preset);
  const seeds = comparison.seeds.length;
  const modeSeeking = (name: string) =>
    name === 'gan-only' ? '' : divergenceOfSettings(name).modeSeeking;
  return formatTable(
    ['divergence', 'mode-seeking', ...metrics.map((metric) => metric.title)],
    comparison.divergences.map((entry) => [
      entry.divergence,
      modeSeeking(entry.divergence),
      ...metrics.map((metric) =>
        formatMeanAndSpread(entry.metrics[metric.key] as MeanAndSpread, metric.digits, seeds),
      ),
    ]),
  );
}

/** The divergence every other is tested against (DMD2's weighting, h = 1). */
const BASELINE_DIVERGENCE = 'reverse-kl';

/**
 * Welch's t of each divergence against reverse-KL, per metric (`(mean - mean_rkl) / standard
 * error`), from the runs' own values; undefined without reverse-KL runs or with one seed.
 */
export function formatWelchTable(comparison: Comparison): string | undefined {
  const baseline = comparison.runs.filter((run) => run.divergence === BASELINE_DIVERGENCE);
  if (baseline.length < 2) return undefined;
  const metrics = comparedMetricsOf(comparison.preset).filter(
    (metric) => metric.key !== 'wallSeconds',
  );
  const valuesOf = (divergence: string, key: string) =>
    comparison.runs.filter((run) => run.divergence === divergence).map((run) => Number(run[key]));
  const rows = comparison.divergences
    .filter((entry) => entry.divergence !== BASELINE_DIVERGENCE)
    .map((entry) => [
      entry.divergence,
      ...metrics.map((metric) => {
        const t = welchT(
          valuesOf(entry.divergence, metric.key),
          valuesOf(BASELINE_DIVERGENCE, metric.key),
        );
        return Number.isFinite(t) ? t.toFixed(2) : String(t);
      }),
    ]);
  return formatTable(
    ['Welch t against reverse-kl', ...metrics.map((metric) => metric.title)],
    rows,
  );
}

/** The metrics `compare` reports for a preset. */
export function comparedMetricsOf(preset: string): readonly ComparedMetric[] {
  return preset === 'fashion-mnist' ? IMAGE_COMPARED_METRICS : MIXTURE_COMPARED_METRICS;
}

/** The statistics of `runs` per divergence, in the order of `divergences`. */
export function summarizeComparison(
  config: Pick<RunConfig, 'preset' | 'steps' | 'evaluationSamples'>,
  seeds: number[],
  divergences: readonly string[],
  runs: Comparison['runs'],
): Comparison {
  const metrics = comparedMetricsOf(config.preset);
  return {
    preset: config.preset,
    steps: config.steps,
    seeds,
    evaluationSamples: config.evaluationSamples,
    runs,
    divergences: divergences
      .map((divergence) => {
        const own = runs.filter((run) => run.divergence === divergence);
        return {
          divergence,
          seeds: own.map((run) => run.seed),
          metrics: aggregateRuns(own, metrics),
        };
      })
      .filter((entry) => entry.seeds.length > 0),
  };
}

/** The comparison's bar chart (the 0..1 metrics, mean with a ± standard deviation bar), as PNG. */
export function comparisonChartPng(comparison: Comparison): Uint8Array {
  const charted = comparedMetricsOf(comparison.preset).filter((metric) => metric.charted);
  const seeds = comparison.seeds.length;
  return barChartPng(
    comparison.divergences.map((entry) => entry.divergence),
    charted.map((metric) => ({
      name: metric.title,
      values: comparison.divergences.map(
        (entry) => (entry.metrics[metric.key] as MeanAndSpread).mean,
      ),
      errors: comparison.divergences.map(
        (entry) => (entry.metrics[metric.key] as MeanAndSpread).standardDeviation,
      ),
    })),
    {
      width: Math.max(720, 130 * comparison.divergences.length + 120),
      height: 420,
      // The bitmap font has no ±; the legend sits above the bars, in the top 25%.
      title: `${comparison.preset}, ${comparison.steps} steps: mean${seeds > 1 ? ` +/- std over ${seeds} seeds` : ', one seed'}`,
      yRange: [0, 1.4],
    },
  );
}

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
  const seedCount = numberFlag('seeds', values.seeds) ?? 1;
  if (!Number.isInteger(seedCount) || seedCount < 1) {
    throw new ConfigError(`--seeds must be an integer >= 1, got ${values.seeds}`);
  }
  const flags: Partial<RunConfig> = {};
  const steps = numberFlag('steps', values.steps);
  if (steps !== undefined) flags.steps = steps;
  const seed = numberFlag('seed', values.seed);
  if (seed !== undefined) flags.seed = seed;
  const base = resolveRunConfig({
    ...(values.preset === undefined ? {} : { preset: values.preset }),
    ...(values.config === undefined ? {} : { configPath: values.config }),
    flags,
  });
  if (base.preset === 'fashion-mnist') {
    // Fail on missing data or a bad teacher before any folder is written.
    fashionMnistFiles(base.dataPath as string, 'train');
    loadImageTeacher(base.teacherPath ?? SHIPPED_FASHION_MNIST_TEACHER).dispose();
  }
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
  const folders = configs.map((config) =>
    RunFolder.create(
      join(parent, `${config.divergence.replace(':', '')}-seed${config.seed}`),
      config,
    ),
  );
  const backend = await selectCliBackend(values.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const distill = base.preset === 'fashion-mnist' ? distillImageRun : distillMixtureRun;
  const runs: Comparison['runs'] = [];
  let comparison = summarizeComparison(base, seeds, divergences, runs);
  for (const [index, config] of configs.entries()) {
    console.error(
      `[${index + 1}/${configs.length}] ${config.divergence}, seed ${config.seed}: ${config.steps} steps`,
    );
    const summary = await distill({
      config,
      folder: folders[index] as RunFolder,
      backend: backend.name,
      resume: false,
    });
    if (summary === undefined) return 130;
    runs.push({ ...summary, seed: config.seed });
    comparison = summarizeComparison(base, seeds, divergences, runs);
    writeFileAtomically(join(parent, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  }
  writeFileAtomically(join(parent, 'compare.png'), comparisonChartPng(comparison));
  console.log(
    `${base.preset}, ${base.steps} steps per run, seeds ${seeds.join(', ')}, ${base.evaluationSamples} samples each${seedCount > 1 ? '; mean ± sample standard deviation over seeds' : ''}\n`,
  );
  console.log(formatComparison(comparison));
  const welch = formatWelchTable(comparison);
  if (welch !== undefined)
    console.log(
      `\n${welch}\n(two-sided 5% with equal spreads: |t| > 2.78 for 3 seeds a side, 2.31 for 5, 2.10 for 10)`,
    );
  console.log(
    `\nwrote ${join(parent, 'compare.json')}, ${join(parent, 'compare.png')} and a run folder per divergence and seed`,
  );
  return 0;
}
