import { describe, expect, it } from 'vitest';
import { aggregateRuns, welchT } from './compare-statistics.js';

describe('welchT', () => {
  it('equals scipy.stats.ttest_ind(a, b, equal_var=False).statistic', () => {
    // scipy 1.10: ttest_ind([3, 4, 5], [1, 2, 3], equal_var=False).statistic = 2.449489742783178
    expect(welchT([3, 4, 5], [1, 2, 3])).toBeCloseTo(2.449489742783178, 12);
    // ttest_ind([0.738, 0.70, 0.81, 0.62, 0.77], [0.772, 0.75, 0.80, 0.71, 0.83], equal_var=False)
    expect(welchT([0.738, 0.7, 0.81, 0.62, 0.77], [0.772, 0.75, 0.8, 0.71, 0.83])).toBeCloseTo(
      -1.1662870776972334,
      12,
    );
  });

  it('is NaN below two seeds a side and infinite for different means without spread', () => {
    expect(welchT([1], [1, 2])).toBeNaN();
    expect(welchT([2, 2], [1, 1])).toBe(Number.POSITIVE_INFINITY);
    expect(welchT([1, 1], [1, 1])).toBe(0);
  });
});

describe('aggregateRuns', () => {
  const metrics = [
    { key: 'recall', title: 'recall', digits: 3, charted: true },
    { key: 'modeKl', title: 'mode KL', digits: 3, charted: false },
  ];

  it('gives each metric the mean and sample standard deviation over the runs', () => {
    const result = aggregateRuns([{ recall: 0.8 }, { recall: 0.6 }], metrics.slice(0, 1));
    expect(result.recall?.mean).toBeCloseTo(0.7, 12);
    expect(result.recall?.standardDeviation).toBeCloseTo(0.2 / Math.SQRT2, 12);
  });

  it('counts a NaN written to JSON (null) as NaN, as in the run that wrote it, not as 0', () => {
    const fresh = { recall: 0.5, modeKl: Number.NaN };
    const readBack = JSON.parse(JSON.stringify(fresh)) as Record<string, unknown>;
    expect(readBack.modeKl).toBeNull();
    expect(aggregateRuns([readBack, readBack], metrics)).toEqual(
      aggregateRuns([fresh, fresh], metrics),
    );
    expect(aggregateRuns([readBack], metrics).modeKl?.mean).toBeNaN();
  });
});
