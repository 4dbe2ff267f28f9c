/**
 * Paper Fig. 6 from runs with a checkpoint (image or mixture runs): the weighting h against the
 * score difference, and how much of their relation goes through the noise level:
 *
 *   pnpm --filter @fdistill/cli exec tsx scripts/score-difference-weighting.ts --runs DIR[,DIR...]
 *     [--samples N] [--figure FILE.png] [--title TEXT]
 *
 * For each run: `--samples` fresh student samples (2,048 by default, 64 at a time), each noised
 * at a training noise level, with the normalized density ratio r the run's discriminator gives it
 * and the norm of the score difference |s_teacher - s_fake| (`Distiller.weightingOfSamples`).
 * Since h is a function of r, the weight every f would give the same samples follows from r:
 * the table has, per f, h / mean h in the eighth of the samples with the smallest and with the
 * largest score difference, and Spearman's correlation of r with the score difference, over all
 * samples and within each quarter of the noise levels (the score difference grows like
 * 1 / sigma^2; the ratio is normalized per noise-level bin, but FastGen's bins are linear in sigma
 * over [0.002, 80], so the first holds every sigma below 8), and the mean r of the quarters with
 * the lowest and the highest noise; then the mean r of each tenth of the samples sorted by noise
 * level (what bins of equal sample counts would divide by). Writes FILE.png, under docs/figures
 * unless absolute (default weight-against-score-difference-fashion-mnist.png): h / mean h per
 * sixteenth of the samples sorted by score difference (the paper's x axis), per run and f.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@fdistill/backend';
import { getDivergence } from '@fdistill/divergence';
import { lineChartPng } from '@fdistill/eval';
import { checkpointFile, writeFileAtomically } from '@fdistill/trainer/node';
import { formatTable } from '@fdistill/utils';
import { buildRunOfConfig } from '../src/build-run.js';
import { RunFolder } from '../src/run-folder.js';
import { rankCorrelation } from './rank-correlation.js';

const root = resolve(import.meta.dirname, '../../..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    samples: { type: 'string', default: '2048' },
    figure: { type: 'string', default: 'weight-against-score-difference-fashion-mnist.png' },
    title: { type: 'string', default: 'Fig. 6 on Fashion-MNIST: h of JS and forward-KL' },
  },
});
if (values.runs === undefined) {
  throw new Error(
    'score-difference-weighting: --runs must name one or more run folders with a checkpoint',
  );
}
const sampleCount = Number(values.samples);
if (!Number.isInteger(sampleCount) || sampleCount < 256) {
  throw new Error(
    `score-difference-weighting: --samples must be an integer >= 256, got ${values.samples}`,
  );
}

/** The weightings compared: DMD2's, the paper's best, the least mode-seeking. */
const DIVERGENCES = ['reverse-kl', 'js', 'forward-kl'] as const;
/** Groups of the samples sorted by score difference, for the figure. */
const GROUPS = 16;
/** Groups of the samples sorted by noise level, for the table of mean r per noise level. */
const NOISE_GROUPS = 10;

/** Mean of `values`. */
function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The indices of `values` in ascending order of their values. */
function ascendingIndices(values: readonly number[]): number[] {
  return values
    .map((_, index) => index)
    .sort((a, b) => (values[a] as number) - (values[b] as number));
}

/** `order` cut into `groups` equal consecutive parts (a remainder of fewer is left out). */
function equalGroups(order: readonly number[], groups: number): number[][] {
  const size = Math.floor(order.length / groups);
  return Array.from({ length: groups }, (_, group) =>
    order.slice(group * size, (group + 1) * size),
  );
}

/** Mean of `values` at `indices`. */
function meanAt(values: readonly number[], indices: readonly number[]): number {
  return mean(indices.map((index) => values[index] as number));
}

await selectBackend('wasm');
const series = [];
const rows = [];
const noiseRows: string[][] = [];
let noiseHeader: string[] = [];
for (const path of values.runs.split(',')) {
  const { folder, config } = RunFolder.open(path);
  const run = buildRunOfConfig(config);
  try {
    const checkpoint = checkpointFile(folder.file('checkpoint'));
    run.distiller.loadCheckpoint(checkpoint);
    const { sigma, ratio, scoreDifference } = await run.distiller.weightingOfSamples(
      sampleCount,
      7,
      64,
    );
    const name = `${config.divergence}, seed ${config.seed}, step ${run.distiller.steps}`;
    const byDifference = ascendingIndices(scoreDifference);
    const eighths = equalGroups(byDifference, 8);
    const sixteenths = equalGroups(byDifference, GROUPS);
    const sortedRatio = [...ratio].sort((a, b) => a - b);
    const ratioAt = (share: number) =>
      (sortedRatio[Math.floor(share * (sortedRatio.length - 1))] as number).toFixed(2);
    const bySigma = ascendingIndices(sigma);
    const quarters = equalGroups(bySigma, 4);
    const noiseGroups = equalGroups(bySigma, NOISE_GROUPS);
    if (noiseHeader.length === 0) {
      noiseHeader = noiseGroups.map((group) => {
        const low = sigma[group[0] as number] as number;
        const high = sigma[group[group.length - 1] as number] as number;
        return `${low.toPrecision(2)}-${high.toPrecision(2)}`;
      });
    }
    noiseRows.push([name, ...noiseGroups.map((group) => meanAt(ratio, group).toFixed(2))]);
    const smallest = eighths[0] ?? [];
    const largest = eighths[7] ?? [];
    const cells: string[] = [];
    for (const divergenceName of DIVERGENCES) {
      const divergence = getDivergence(divergenceName);
      const weight = ratio.map((r) => divergence.h(r));
      const meanWeight = mean(weight);
      const normalized = weight.map((value) => value / meanWeight);
      cells.push(
        `${meanAt(normalized, smallest).toFixed(2)} / ${meanAt(normalized, largest).toFixed(2)}`,
      );
      if (divergenceName !== 'reverse-kl') {
        series.push({
          name: `${divergenceName} h on ${config.divergence} seed ${config.seed}`,
          steps: Array.from({ length: GROUPS }, (_, group) => (group + 0.5) / GROUPS),
          values: sixteenths.map((group) => meanAt(normalized, group)),
        });
      }
    }
    const withinNoise = mean(
      quarters.map((indices) =>
        rankCorrelation(
          indices.map((index) => ratio[index] as number),
          indices.map((index) => scoreDifference[index] as number),
        ),
      ),
    );
    rows.push([
      name,
      `${ratioAt(0.05)} .. ${ratioAt(0.95)}`,
      `${meanAt(ratio, quarters[0] ?? []).toFixed(2)} / ${meanAt(ratio, quarters[3] ?? []).toFixed(2)}`,
      rankCorrelation(ratio, scoreDifference).toFixed(3),
      withinNoise.toFixed(3),
      ...cells,
    ]);
  } finally {
    run.dispose();
  }
}
console.log(`${values.title}: ${sampleCount} student samples per run\n`);
console.log(
  formatTable(
    [
      'run',
      'r, 5%..95%',
      'mean r: lowest / highest noise quarter',
      'Spearman(r, |diff|)',
      'within noise quarters',
      ...DIVERGENCES.map((name) => `${name} h/mean: smallest / largest eighth`),
    ],
    rows,
  ),
);
console.log(
  `\nmean r per tenth of the samples sorted by noise level (sigma range of the first run's tenths)\n`,
);
console.log(formatTable(['run', ...noiseHeader], noiseRows));
writeFileAtomically(
  resolve(root, 'docs/figures', values.figure as string),
  lineChartPng(series, {
    width: 720,
    height: 460,
    title: values.title as string,
    xLabel: 'share of the samples, sorted by the norm of score teacher - score fake',
    yLabel: 'h / mean h, mean of each sixteenth',
  }),
);
