import { twoSidedStudentP } from './student-t.js';

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

/** A two-sample t test: the statistic, its degrees of freedom and the two-sided p-value. */
export interface TTest {
  t: number;
  degreesOfFreedom: number;
  /** P(|T| >= |t|) under the null hypothesis of equal means; NaN where t is. */
  p: number;
}

/**
 * The test of `difference / error`. Without spread (error 0) the samples decide alone: t = 0 and
 * p = 1 for equal means, else t = +-Infinity and p = 0.
 */
function tTest(difference: number, error: number, degreesOfFreedom: number): TTest {
  if (error === 0) {
    return difference === 0
      ? { t: 0, degreesOfFreedom, p: 1 }
      : { t: Math.sign(difference) * Number.POSITIVE_INFINITY, degreesOfFreedom, p: 0 };
  }
  const t = difference / error;
  return { t, degreesOfFreedom, p: twoSidedStudentP(t, degreesOfFreedom) };
}

const UNTESTABLE: TTest = { t: Number.NaN, degreesOfFreedom: Number.NaN, p: Number.NaN };

/**
 * Welch's test of the difference of two means, each from its own sample of seeds:
 * `t = (a - b) / sqrt(sa^2 / na + sb^2 / nb)` with the Welch-Satterthwaite degrees of freedom.
 * NaN with fewer than two seeds on either side.
 *
 * @example welchTest([3, 4, 5], [1, 2, 3]) // { t: 2.449..., degreesOfFreedom: 4, p: 0.0705... }
 */
export function welchTest(first: readonly number[], second: readonly number[]): TTest {
  if (first.length < 2 || second.length < 2) return UNTESTABLE;
  const a = meanAndSpread(first);
  const b = meanAndSpread(second);
  const varianceA = a.standardDeviation ** 2 / first.length;
  const varianceB = b.standardDeviation ** 2 / second.length;
  const error = Math.sqrt(varianceA + varianceB);
  const degreesOfFreedom =
    (varianceA + varianceB) ** 2 /
    (varianceA ** 2 / (first.length - 1) + varianceB ** 2 / (second.length - 1));
  return tTest(a.mean - b.mean, error, degreesOfFreedom);
}

/**
 * The paired test of two samples matched element by element (here: the runs of one seed, which
 * share its initialization, warm start and evaluation latents): Student's t of the differences,
 * `mean(d) / (sd(d) / sqrt(n))` with n - 1 degrees of freedom. NaN below two pairs.
 *
 * @example pairedTest([3, 4, 5.5], [1, 2, 3]) // { t: 13, degreesOfFreedom: 2, p: 0.00587... }
 */
export function pairedTest(first: readonly number[], second: readonly number[]): TTest {
  if (first.length !== second.length) {
    throw new Error(
      `pairedTest: the samples must have one value per pair, got ${first.length} and ${second.length}`,
    );
  }
  if (first.length < 2) return UNTESTABLE;
  const differences = meanAndSpread(first.map((value, index) => value - (second[index] as number)));
  return tTest(
    differences.mean,
    differences.standardDeviation / Math.sqrt(first.length),
    first.length - 1,
  );
}
