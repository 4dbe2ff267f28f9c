/**
 * The table of `fdistill compare` from a larger evaluation of its runs: mean ± spread over seeds
 * per divergence, then each f against reverse-KL as Welch's and the paired t (two-sided p), read
 * from a file that `fdistill eval --samples FILE.npz --json` wrote into each run folder:
 *
 *   pnpm --filter @fdistill/cli exec tsx scripts/evaluation-comparison.ts --dir COMPARISON_DIR
 *     [--evaluation eval-10000.json] [--divergences reverse-kl,js,forward-kl]
 *
 * A FID of 2,000 samples moves by about 2 between draws of one network, so the comparison of
 * close f is read better from 10,000 samples per run than from the runs' summaries. Run folders
 * are `<divergence>-seed<k>` under `--dir` (as `compare` names them); those without the file are
 * left out and listed. The metrics are those of the image comparison that the file holds
 * (domain-FID, precision, recall, classes, label accuracy: `eval` writes no class KL); the
 * real-data floor at the same N is printed above the table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Comparison,
  formatComparison,
  formatTestTables,
  IMAGE_COMPARED_METRICS,
  summarizeComparison,
} from '../src/comparison.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    evaluation: { type: 'string', default: 'eval-10000.json' },
    divergences: { type: 'string', default: 'reverse-kl,js,forward-kl' },
  },
});
if (values.dir === undefined || !existsSync(values.dir)) {
  throw new Error(
    `evaluation-comparison: --dir must name a comparison folder (run folders <divergence>-seed<k>), got ${values.dir}`,
  );
}
const parent = resolve(values.dir);
const divergences = values.divergences.split(',').map((name) => name.trim());

/** The key of a run summary's metric in `eval --json` output: `samples` + the key, capitalized. */
function evaluationKey(summaryKey: string): string {
  return `samples${summaryKey[0]?.toUpperCase()}${summaryKey.slice(1)}`;
}

const runs: Comparison['runs'] = [];
const missing: string[] = [];
const realDataFids: number[] = [];
let count: number | undefined;
let steps: number | undefined;
for (const name of readdirSync(parent).sort()) {
  const match = /^(.+)-seed(\d+)$/.exec(name);
  if (match === null || !divergences.includes(match[1] as string)) continue;
  const file = join(parent, name, values.evaluation);
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const evaluation = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  if (count !== undefined && evaluation.count !== count) {
    throw new Error(
      `evaluation-comparison: ${file} scores ${evaluation.count} samples, the others ${count}`,
    );
  }
  count = evaluation.count;
  realDataFids.push(evaluation.realDataDomainFid as number);
  const config = JSON.parse(readFileSync(join(parent, name, 'config.json'), 'utf8')) as {
    steps: number;
  };
  steps = config.steps;
  runs.push({
    divergence: match[1] as string,
    seed: Number(match[2]),
    ...Object.fromEntries(
      IMAGE_COMPARED_METRICS.map((metric) => [metric.key, evaluation[evaluationKey(metric.key)]]),
    ),
  });
}
if (runs.length === 0 || count === undefined || steps === undefined) {
  throw new Error(
    `evaluation-comparison: no run folder under ${parent} holds ${values.evaluation} (divergences ${divergences.join(', ')})`,
  );
}
const metrics = IMAGE_COMPARED_METRICS.filter((metric) =>
  runs.every((run) => typeof run[metric.key] === 'number'),
);
const seeds = [...new Set(runs.map((run) => run.seed))].sort((a, b) => a - b);
const comparison = summarizeComparison(
  { preset: 'fashion-mnist', steps, evaluationSamples: count },
  seeds,
  divergences,
  runs,
  metrics,
);
const floors = [...new Set(realDataFids.map((fid) => fid.toFixed(2)))].join(', ');
console.log(
  `${steps} steps per run, ${count} samples each (${values.evaluation}); real-data floor at N = ${count}: domain-FID ${floors}`,
);
for (const entry of comparison.divergences) {
  console.log(`  ${entry.divergence}: seeds ${entry.seeds.join(', ')}`);
}
if (missing.length > 0) console.log(`  without ${values.evaluation}: ${missing.join(', ')}`);
console.log(`\n${formatComparison(comparison, metrics)}`);
const tests = formatTestTables(comparison, metrics);
if (tests !== undefined) console.log(`\n${tests}`);
