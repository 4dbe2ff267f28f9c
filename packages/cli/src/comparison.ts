import { DIVERGENCE_NAMES } from '@fdistill/divergence';
import { barChartPng } from '@fdistill/eval';
import { divergenceOfSettings } from '@fdistill/trainer';
import { formatTable } from '@fdistill/utils';
import {
  aggregateRuns,
  type ComparedMetric,
  formatMeanAndSpread,
  type MeanAndSpread,
  metricValue,
  pairedTest,
  type TTest,
  welchTest,
} from './compare-statistics.js';
import type { RunConfig } from './run-config.js';

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

/**
 * Renders a comparison as its table: one row per divergence, mean (± spread) per metric of
 * `metrics` (default: those `compare` reports for the preset).
 */
export function formatComparison(
  comparison: Comparison,
  metrics: readonly ComparedMetric[] = comparedMetricsOf(comparison.preset),
): string {
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

/** A test cell: `t (p)`, e.g. `-2.31 (0.147)`. */
function formatTest(test: TTest): string {
  const t = Number.isFinite(test.t) ? test.t.toFixed(2) : String(test.t);
  return Number.isNaN(test.p) ? t : `${t} (${test.p.toFixed(3)})`;
}

/**
 * Each divergence against reverse-KL, per metric, as `t (two-sided p)`: Welch's test of the
 * means over seeds, then the paired test over the seeds both have (the runs of one seed share
 * its initialization, warm start and evaluation latents, so their differences carry less of the
 * seed-to-seed spread). `metrics` defaults to those `compare` reports for the preset; wall time
 * is never tested. Undefined without two reverse-KL runs.
 *
 * @example const tables = formatTestTables(comparison); // Welch, then paired, one row per f
 */
export function formatTestTables(
  comparison: Comparison,
  compared: readonly ComparedMetric[] = comparedMetricsOf(comparison.preset),
): string | undefined {
  const baseline = comparison.runs.filter((run) => run.divergence === BASELINE_DIVERGENCE);
  if (baseline.length < 2) return undefined;
  const metrics = compared.filter((metric) => metric.key !== 'wallSeconds');
  const runsOf = (divergence: string) =>
    comparison.runs.filter((run) => run.divergence === divergence);
  const others = comparison.divergences.filter((entry) => entry.divergence !== BASELINE_DIVERGENCE);
  const welchRows = others.map((entry) => [
    entry.divergence,
    ...metrics.map((metric) =>
      formatTest(
        welchTest(
          runsOf(entry.divergence).map((run) => metricValue(run, metric.key)),
          baseline.map((run) => metricValue(run, metric.key)),
        ),
      ),
    ),
  ]);
  const pairedRows = others.map((entry) => {
    const pairs = runsOf(entry.divergence).flatMap((run) => {
      const partner = baseline.find((candidate) => candidate.seed === run.seed);
      return partner === undefined ? [] : [{ run, partner }];
    });
    return [
      entry.divergence,
      ...metrics.map((metric) =>
        formatTest(
          pairedTest(
            pairs.map(({ run }) => metricValue(run, metric.key)),
            pairs.map(({ partner }) => metricValue(partner, metric.key)),
          ),
        ),
      ),
    ];
  });
  const titles = metrics.map((metric) => metric.title);
  return [
    formatTable(['Welch t against reverse-kl (p)', ...titles], welchRows),
    formatTable(['paired t, seed by seed (p)', ...titles], pairedRows),
  ].join('\n\n');
}

/** The metrics `compare` reports for a preset. */
export function comparedMetricsOf(preset: string): readonly ComparedMetric[] {
  return preset === 'fashion-mnist' ? IMAGE_COMPARED_METRICS : MIXTURE_COMPARED_METRICS;
}

/**
 * The statistics of `runs` per divergence, in the order of `divergences`, over `metrics`
 * (default: those `compare` reports for the preset).
 */
export function summarizeComparison(
  config: Pick<RunConfig, 'preset' | 'steps' | 'evaluationSamples'>,
  seeds: number[],
  divergences: readonly string[],
  runs: Comparison['runs'],
  metrics: readonly ComparedMetric[] = comparedMetricsOf(config.preset),
): Comparison {
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
