/** Mean and sample standard deviation of one metric over seeds. */
export interface MeanAndSpread {
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 for one seed. */
  standardDeviation: number;
}

/** One compared metric: its key in the run summaries and how the table and chart show it. */
export interface ComparedMetric {
  key: string;
  title: string;
  digits: number;
  /** Drawn in the bar chart (metrics on a 0..1 scale). */
  charted: boolean;
}

/**
 * Mean and sample standard deviation of `values` (NaN when empty).
 *
 * @example meanAndSpread([1, 2, 3]) // { mean: 2, standardDeviation: 1 }
 */
export function meanAndSpread(values: readonly number[]): MeanAndSpread {
  const count = values.length;
  if (count === 0) return { mean: Number.NaN, standardDeviation: Number.NaN };
  const mean = values.reduce((sum, value) => sum + value, 0) / count;
  if (count === 1) return { mean, standardDeviation: 0 };
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { mean, standardDeviation: Math.sqrt(squares / (count - 1)) };
}

/**
 * A run's value of the metric `key`; NaN where it is not a number: a summary read back from disk
 * holds `null` where its metric was NaN (JSON has no NaN), and that must not count as 0.
 *
 * @example metricValue(JSON.parse('{"modeKl":null}'), 'modeKl') // NaN
 */
export function metricValue(run: Record<string, unknown>, key: string): number {
  const value = run[key];
  return typeof value === 'number' ? value : Number.NaN;
}

/**
 * Every metric of `metrics` over the runs of one divergence, as mean and spread (`metricValue`
 * of each run).
 *
 * @example aggregateRuns([{ recall: 0.8 }, { recall: 0.6 }], [RECALL]).recall.mean // 0.7
 */
export function aggregateRuns(
  runs: readonly Record<string, unknown>[],
  metrics: readonly ComparedMetric[],
): Record<string, MeanAndSpread> {
  return Object.fromEntries(
    metrics.map((metric) => [
      metric.key,
      meanAndSpread(runs.map((run) => metricValue(run, metric.key))),
    ]),
  );
}

/**
 * A table cell: `mean` alone for one seed, `mean ± standard deviation` for several.
 *
 * @example formatMeanAndSpread({ mean: 0.912, standardDeviation: 0.0131 }, 3, 5) // '0.912 ± 0.013'
 */
export function formatMeanAndSpread(value: MeanAndSpread, digits: number, seeds: number): string {
  const mean = Number.isFinite(value.mean) ? value.mean.toFixed(digits) : String(value.mean);
  return seeds === 1 ? mean : `${mean} ± ${value.standardDeviation.toFixed(digits)}`;
}

/**
 * Welch's t statistic of the difference of two means, each from its own sample of seeds:
 * `(a - b) / sqrt(sa^2 / na + sb^2 / nb)`. NaN with fewer than two seeds on either side;
 * +-Infinity when both spreads are 0 and the means differ.
 *
 * @example welchT([3, 4, 5], [1, 2, 3]) // 2.449...
 */
export function welchT(first: readonly number[], second: readonly number[]): number {
  if (first.length < 2 || second.length < 2) return Number.NaN;
  const a = meanAndSpread(first);
  const b = meanAndSpread(second);
  const error = Math.sqrt(
    a.standardDeviation ** 2 / first.length + b.standardDeviation ** 2 / second.length,
  );
  const difference = a.mean - b.mean;
  if (error === 0) return difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY;
  return difference / error;
}
