import { describe, expect, it } from 'vitest';
import { pairedTest, welchTest } from './compare-statistics.js';
import { type Comparison, formatTestTables, summarizeComparison } from './comparison.js';

/** A ring8 comparison of reverse-KL and JS over seeds 0-2 with the given recalls per seed. */
function comparisonOf(reverseKl: number[], js: Record<number, number>): Comparison {
  const runs: Comparison['runs'] = [
    ...reverseKl.map((recall, seed) => ({ divergence: 'reverse-kl', seed, recall })),
    // JS's runs out of seed order: the pairs must follow the seeds, not the positions.
    ...Object.entries(js)
      .reverse()
      .map(([seed, recall]) => ({ divergence: 'js', seed: Number(seed), recall })),
  ];
  return summarizeComparison(
    { preset: 'ring8', steps: 10, evaluationSamples: 100 },
    [0, 1, 2],
    ['reverse-kl', 'js'],
    runs,
  );
}

/** The column of recall in the ring8 tables (after the divergence's name). */
const recallColumn = 5;

/** The cells of the row of `divergence` under the table whose header starts with `title`. */
function rowCells(text: string, title: string, divergence: string): string[] {
  const table = text.split('\n\n').find((block) => block.startsWith(title));
  const row = table?.split('\n').find((line) => line.startsWith(divergence));
  return row?.trim().split(/\s{2,}/) ?? [];
}

describe('formatTestTables', () => {
  it('prints Welch t (p) of the means and the paired t (p) of the runs of each seed', () => {
    const reverseKl = [0.6, 0.7, 0.8];
    const js = { 0: 0.62, 1: 0.71, 2: 0.83 };
    const text = formatTestTables(comparisonOf(reverseKl, js)) ?? '';
    const welch = welchTest([0.83, 0.71, 0.62], reverseKl);
    const paired = pairedTest([0.62, 0.71, 0.83], reverseKl);
    expect(rowCells(text, 'Welch t', 'js')[recallColumn]).toBe(
      `${welch.t.toFixed(2)} (${welch.p.toFixed(3)})`,
    );
    expect(rowCells(text, 'paired t', 'js')[recallColumn]).toBe(
      `${paired.t.toFixed(2)} (${paired.p.toFixed(3)})`,
    );
    // The shift is small against the seeds' spread but the same sign on every seed.
    expect(welch.p).toBeGreaterThan(0.5);
    expect(paired.p).toBeLessThan(0.1);
    // Metrics the runs lack are NaN, without a p.
    expect(rowCells(text, 'paired t', 'js')[1]).toBe('NaN');
  });

  it('pairs only the seeds both divergences have, and needs two reverse-KL runs', () => {
    const partial = formatTestTables(comparisonOf([0.6, 0.7, 0.8], { 1: 0.75, 2: 0.81 })) ?? '';
    const paired = pairedTest([0.75, 0.81], [0.7, 0.8]);
    expect(rowCells(partial, 'paired t', 'js')[recallColumn]).toBe(
      `${paired.t.toFixed(2)} (${paired.p.toFixed(3)})`,
    );
    expect(formatTestTables(comparisonOf([0.6], { 0: 0.6, 1: 0.7 }))).toBeUndefined();
  });
});
