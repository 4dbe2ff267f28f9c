/**
 * Regenerates the figures and tables of docs/RESULTS.md from code and from finished runs:
 *
 *   pnpm results            (from the repository root; see docs/RESULTS.md for the runs it reads)
 *
 * - docs/figures/normalized-variance.png (paper Fig. 5a): Var(h/E h) of every f for two unit
 *   Gaussians against their mean distance, by quadrature (`normalizedVariance`);
 * - docs/figures/weight-against-score-difference.png (paper Fig. 6): h(r) against the norm of the
 *   score difference, binned, per f, from the seed-0 run of each f in the compare folder;
 * - the normalization ablation (paper Table 4) from the ablation folder: variance of ln(f-distill
 *   loss) over the second half of each run and the final metrics, mean ± std over seeds.
 *
 * - the ring8 comparison of every f over seeds (mean ± std, and the lowest high-quality share and
 *   mode count at the evaluation points after the first 25% of steps).
 * - the cold-student study from the cold folder (ring8 without the sampler warm start): its table
 *   (modes, mode KL, recall and the range of r over training), docs/figures/ratio-range-cold.png
 *   (max r / min r per generator step) and docs/figures/weight-against-score-difference-cold.png
 *   (Fig. 6 from its seed-0 runs).
 *
 * Arguments: --compare DIR[,DIR...] (default runs/compare-ring8-seed0-4), --ablation DIR (default
 * runs/ablation-ring8), --cold DIR (default runs/ring8-cold). A folder that is missing is skipped
 * with a note.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@fdistill/backend';
import { DIVERGENCE_NAMES, getDivergence, normalizedVariance } from '@fdistill/divergence';
import { lineChartPng } from '@fdistill/eval';
import { checkpointFile, writeFileAtomically } from '@fdistill/trainer/node';
import { formatTable } from '@fdistill/utils';
import { buildRunOfConfig } from '../src/build-run.js';
import {
  aggregateRuns,
  type ComparedMetric,
  formatMeanAndSpread,
  meanAndSpread,
} from '../src/compare-statistics.js';
import { MIXTURE_COMPARED_METRICS } from '../src/comparison.js';
import { RunFolder } from '../src/run-folder.js';
import { rankCorrelation } from './rank-correlation.js';

const root = resolve(import.meta.dirname, '../../..');
const { values } = parseArgs({
  options: {
    compare: { type: 'string', default: join(root, 'runs/compare-ring8-seed0-4') },
    ablation: { type: 'string', default: join(root, 'runs/ablation-ring8') },
    cold: { type: 'string', default: join(root, 'runs/ring8-cold') },
  },
});

/** Every run folder (with a summary) under the given folders (comma-separated), by name. */
function finishedRuns(parents: string): Map<string, string> {
  const runs = new Map<string, string>();
  for (const parent of parents.split(',')) {
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent).sort()) {
      if (existsSync(join(parent, entry, 'summary.json'))) runs.set(entry, join(parent, entry));
    }
  }
  return runs;
}
const compareRuns = finishedRuns(values.compare as string);
const coldRuns = finishedRuns(values.cold as string);
const figures = join(root, 'docs/figures');

/** Paper Fig. 5a: normalized variance of the weighting against the distance of two unit Gaussians. */
function normalizedVarianceFigure(): void {
  const distances = Array.from({ length: 30 }, (_, index) => (index + 1) * 0.1);
  const series = DIVERGENCE_NAMES.map((name) => ({
    name,
    steps: distances,
    values: distances.map((distance) =>
      Math.log10(Math.max(normalizedVariance(getDivergence(name), distance), 1e-12)),
    ),
  }));
  writeFileAtomically(
    join(figures, 'normalized-variance.png'),
    lineChartPng(series, {
      width: 720,
      height: 460,
      title: 'Fig. 5a: variance of h / E h',
      xLabel: 'mean distance m',
      yLabel: 'log10 Var (reverse-kl: 0, off the chart)',
      yRange: [-4, 4],
    }),
  );
  const rows = DIVERGENCE_NAMES.map((name) => [
    name,
    ...[0.5, 1, 2, 3].map((distance) =>
      normalizedVariance(getDivergence(name), distance).toPrecision(3),
    ),
  ]);
  console.log('Normalized variance Var(h/E h) (paper Fig. 5a):\n');
  console.log(formatTable(['divergence', 'm = 0.5', 'm = 1', 'm = 2', 'm = 3'], rows));
}

/**
 * Paper Fig. 6: mean h(r) per bin of the score-difference norm, from each f's seed-0 run among
 * `runs`, written to docs/figures/`fileName`.
 */
async function weightAgainstScoreDifferenceFigure(
  runs: Map<string, string>,
  fileName: string,
  title: string,
): Promise<void> {
  await selectBackend('wasm');
  const binEdges = Array.from({ length: 19 }, (_, index) => -6 + index * 0.5); // log10 |difference|
  const series = [];
  const rows = [];
  for (const name of DIVERGENCE_NAMES) {
    const path = runs.get(`${name}-seed0`);
    if (path === undefined || !existsSync(join(path, 'checkpoint.safetensors'))) continue;
    const { folder, config } = RunFolder.open(path);
    const run = buildRunOfConfig(config);
    try {
      run.distiller.loadCheckpoint(checkpointFile(folder.file('checkpoint')));
      const { ratio, weight, scoreDifference } = await run.distiller.weightingOfSamples(8192, 7);
      const sortedRatio = [...ratio].sort((a, b) => a - b);
      const ratioAt = (share: number) =>
        (sortedRatio[Math.floor(share * (sortedRatio.length - 1))] as number).toFixed(3);
      const meanWeight = weight.reduce((sum, value) => sum + value, 0) / weight.length;
      const centres: number[] = [];
      const means: number[] = [];
      for (let bin = 0; bin + 1 < binEdges.length; bin++) {
        const low = binEdges[bin] as number;
        const high = binEdges[bin + 1] as number;
        const inBin = weight.filter((_, index) => {
          const position = Math.log10(scoreDifference[index] as number);
          return position >= low && position < high;
        });
        if (inBin.length < 20) continue;
        centres.push((low + high) / 2);
        means.push(inBin.reduce((sum, value) => sum + value, 0) / inBin.length / meanWeight);
      }
      series.push({ name, steps: centres, values: means });
      rows.push([
        name,
        `${ratioAt(0.05)} .. ${ratioAt(0.95)}`,
        rankCorrelation(weight, scoreDifference).toFixed(3),
        (means[0] ?? Number.NaN).toFixed(2),
        (means[means.length - 1] ?? Number.NaN).toFixed(2),
      ]);
    } finally {
      run.dispose();
    }
  }
  if (series.length === 0) {
    console.log(`\n(skipped ${title}: no <f>-seed0 runs with checkpoints)`);
    return;
  }
  writeFileAtomically(
    join(figures, fileName),
    lineChartPng(series, {
      width: 720,
      height: 460,
      title,
      xLabel: 'log10 of the norm of score teacher - score fake',
      yLabel: 'h / mean h, bin mean',
    }),
  );
  console.log(`\n${title}: h(r) against the score-difference norm, seed-0 run of each f:\n`);
  console.log(
    formatTable(
      [
        'divergence',
        'r, 5%..95%',
        'Spearman(h, |diff|)',
        'h/mean, lowest bin',
        'h/mean, highest bin',
      ],
      rows,
    ),
  );
}

/**
 * Sample variance of ln(values): the spread of a heavy-tailed, positive loss (the DMD normalizer
 * makes rare small-sigma batches thousands of times larger), free of its scale.
 */
function logVariance(values: readonly number[]): number {
  return meanAndSpread(values.filter((value) => value > 0).map(Math.log)).standardDeviation ** 2;
}

/** The compare command's metric of `key`. */
function comparedMetric(key: string): ComparedMetric {
  return MIXTURE_COMPARED_METRICS.find((metric) => metric.key === key) as ComparedMetric;
}

/** The spread of the f-distill loss, and the worst high-quality share after 25% of the steps. */
const LOSS_VARIANCE: ComparedMetric = {
  key: 'lossVariance',
  title: 'Var ln f-distill loss',
  digits: 3,
  charted: false,
};
const LOWEST_SHARE: ComparedMetric = {
  key: 'lowestShare',
  title: 'lowest share after 25%',
  digits: 3,
  charted: false,
};

/** Paper Table 4: the normalization stages on and off, from the ablation folder's runs. */
function normalizationAblationTable(ablationFolder: string): void {
  if (!existsSync(ablationFolder)) {
    console.log(`\n(skipped Table 4: ${ablationFolder} does not exist; see docs/RESULTS.md)`);
    return;
  }
  const groups = new Map<string, Record<string, number>[]>();
  const ablationRuns = readdirSync(ablationFolder)
    .sort()
    .map((entry) => [entry, join(ablationFolder, entry)] as const);
  const seeds = new Set(ablationRuns.map(([entry]) => entry.replace(/^.*-seed/, '')));
  // The preset's own forward-KL runs (both stages on) of the same seeds come from compare.
  const baseline = [...seeds].flatMap((seed) => {
    const path = compareRuns.get(`forward-kl-seed${seed}`);
    return path === undefined ? [] : [[`both stages (preset)-seed${seed}`, path] as const];
  });
  for (const [entry, path] of [...baseline, ...ablationRuns]) {
    if (!existsSync(join(path, 'summary.json'))) continue;
    const variant = entry.replace(/-seed[0-9]+$/, '');
    const summary = JSON.parse(readFileSync(join(path, 'summary.json'), 'utf8'));
    const losses = readFileSync(join(path, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"generator"'))
      .map((line) => JSON.parse(line) as { step: number; losses: { fDistill: number } });
    const late = losses.slice(Math.floor(losses.length / 2)).map((event) => event.losses.fDistill);
    const list = groups.get(variant) ?? [];
    list.push({ ...summary, lossVariance: logVariance(late) });
    groups.set(variant, list);
  }
  const metrics = [
    LOSS_VARIANCE,
    ...['highQualityShare', 'modeKlDivergence', 'recall'].map(comparedMetric),
  ];
  const rows = [...groups].map(([variant, runs]) => {
    const statistics = aggregateRuns(runs, metrics);
    return [
      variant,
      String(runs.length),
      ...metrics.map((metric) =>
        formatMeanAndSpread(statistics[metric.key] as never, metric.digits, runs.length),
      ),
    ];
  });
  console.log('\nNormalization ablation (paper Table 4), mean ± std over seeds:\n');
  console.log(formatTable(['variant', 'seeds', ...metrics.map((metric) => metric.title)], rows));
}

/** The compare runs as one table: mean ± std per divergence over its seeds, plus stability. */
function comparisonTable(): void {
  if (compareRuns.size === 0) {
    console.log(`\n(skipped the comparison: no runs in ${values.compare})`);
    return;
  }
  const runs = [...compareRuns].map(([entry, path]) => {
    const summary = JSON.parse(readFileSync(join(path, 'summary.json'), 'utf8'));
    const lines = readFileSync(join(path, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
    // Stability along the run: the fewest modes and lowest share at evaluation points after 25%.
    const late = lines.filter(
      (line) => line.phase === 'evaluation' && line.step > 0.25 * summary.steps,
    );
    const losses = lines
      .filter((line) => line.phase === 'generator')
      .map((line) => line.losses.fDistill as number);
    return {
      ...summary,
      seed: Number(entry.replace(/^.*-seed/, '')),
      fewestModes: Math.min(...late.map((line) => line.modesCaptured)),
      lowestShare: Math.min(...late.map((line) => line.highQualityShare)),
      lossVariance: logVariance(losses.slice(Math.floor(losses.length / 2))),
    };
  });
  const metrics = [
    ...['modesCaptured', 'highQualityShare', 'modeKlDivergence', 'precision', 'recall'].map(
      comparedMetric,
    ),
    LOWEST_SHARE,
    LOSS_VARIANCE,
    comparedMetric('wallSeconds'),
  ];
  const names = ['gan-only', ...DIVERGENCE_NAMES];
  const rows = names.flatMap((name) => {
    const own = runs.filter((run) => run.divergence === name);
    if (own.length === 0) return [];
    const statistics = aggregateRuns(own, metrics);
    return [
      [
        name,
        own.map((run) => run.seed).join(','),
        `${Math.min(...own.map((run) => run.fewestModes))}`,
        ...metrics.map((metric) =>
          formatMeanAndSpread(statistics[metric.key] as never, metric.digits, own.length),
        ),
      ],
    ];
  });
  console.log('\nring8 compare, mean ± std over seeds:\n');
  console.log(
    formatTable(
      ['divergence', 'seeds', 'fewest modes after 25%', ...metrics.map((metric) => metric.title)],
      rows,
    ),
  );
}

/** The generator steps of a run: the range of its ratio per step. */
function ratioRanges(path: string): Array<{ step: number; min: number; max: number }> {
  return readFileSync(join(path, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"generator"'))
    .map((line) => JSON.parse(line) as { step: number; ratio: { min: number; max: number } })
    .map(({ step, ratio }) => ({ step, min: ratio.min, max: ratio.max }));
}

/** The median of a list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The cold-student study (ring8 without the sampler warm start): modes, mode KL and recall per f
 * over seeds, the range of the normalized ratio early and late in training, the chart of that
 * range over training and Fig. 6 from the seed-0 runs.
 */
async function coldStudent(): Promise<void> {
  if (coldRuns.size === 0) {
    console.log(`\n(skipped the cold-student study: no runs in ${values.cold})`);
    return;
  }
  const runs = [...coldRuns].map(([entry, path]) => {
    const summary = JSON.parse(readFileSync(join(path, 'summary.json'), 'utf8')) as {
      divergence: string;
      steps: number;
    };
    const ranges = ratioRanges(path);
    const early = ranges.filter(({ step }) => step < 0.1 * summary.steps);
    const late = ranges.filter(({ step }) => step >= 0.5 * summary.steps);
    return {
      ...summary,
      seed: Number(entry.replace(/^.*-seed/, '')),
      earlyRatioRange: median(early.map(({ min, max }) => max / min)),
      lateRatioRange: median(late.map(({ min, max }) => max / min)),
      ranges,
    };
  });
  const earlyRange: ComparedMetric = {
    key: 'earlyRatioRange',
    title: 'max r / min r, first 10%',
    digits: 2,
    charted: false,
  };
  const lateRange: ComparedMetric = {
    key: 'lateRatioRange',
    title: 'max r / min r, last 50%',
    digits: 2,
    charted: false,
  };
  const metrics = [
    ...['modesCaptured', 'highQualityShare', 'modeKlDivergence', 'recall'].map(comparedMetric),
    earlyRange,
    lateRange,
  ];
  const names = ['gan-only', ...DIVERGENCE_NAMES].filter((name) =>
    runs.some((run) => run.divergence === name),
  );
  const rows = names.map((name) => {
    const own = runs.filter((run) => run.divergence === name);
    const statistics = aggregateRuns(own, metrics);
    return [
      name,
      own.map((run) => run.seed).join(','),
      ...metrics.map((metric) =>
        formatMeanAndSpread(statistics[metric.key] as never, metric.digits, own.length),
      ),
    ];
  });
  console.log('\nring8 from a cold student (no sampler warm start), mean ± std over seeds:\n');
  console.log(formatTable(['divergence', 'seeds', ...metrics.map((metric) => metric.title)], rows));
  // The range of r per generator step, the median over seeds, in windows of 20 generator steps.
  const series = names.map((name) => {
    const own = runs.filter((run) => run.divergence === name);
    const length = Math.min(...own.map((run) => run.ranges.length));
    const steps: number[] = [];
    const ranges: number[] = [];
    for (let start = 0; start + 20 <= length; start += 20) {
      const window = own.flatMap((run) =>
        run.ranges.slice(start, start + 20).map(({ min, max }) => Math.log10(max / min)),
      );
      steps.push((own[0] as (typeof own)[number]).ranges[start + 10]?.step ?? start);
      ranges.push(median(window));
    }
    return { name, steps, values: ranges };
  });
  writeFileAtomically(
    join(figures, 'ratio-range-cold.png'),
    lineChartPng(series, {
      width: 720,
      height: 460,
      title: 'ring8 cold: spread of r',
      xLabel: 'step',
      yLabel: 'log10 max r / min r',
    }),
  );
  await weightAgainstScoreDifferenceFigure(
    coldRuns,
    'weight-against-score-difference-cold.png',
    'Fig. 6, cold student',
  );
}

normalizedVarianceFigure();
comparisonTable();
await weightAgainstScoreDifferenceFigure(
  compareRuns,
  'weight-against-score-difference.png',
  'Fig. 6: h against the score difference',
);
normalizationAblationTable(values.ablation as string);
coldStudent();
console.log(`\nfigures in ${figures}`);
