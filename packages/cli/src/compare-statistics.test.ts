import { describe, expect, it } from 'vitest';
import { aggregateRuns, pairedTest, welchTest } from './compare-statistics.js';

describe('welchTest', () => {
  it('equals scipy.stats.ttest_ind(a, b, equal_var=False): statistic, Welch-Satterthwaite df, p', () => {
    // scipy 1.10: ttest_ind([3, 4, 5], [1, 2, 3], equal_var=False) = (2.449489742783178, 0.07048399691021993)
    const small = welchTest([3, 4, 5], [1, 2, 3]);
    expect(small.t).toBeCloseTo(2.449489742783178, 12);
    expect(small.degreesOfFreedom).toBeCloseTo(4, 12);
    expect(small.p).toBeCloseTo(0.07048399691021993, 10);
    // ttest_ind(a, b, equal_var=False) = (-1.1662870776972334, 0.28291757733655754), df 6.773082282411202
    const a = [0.738, 0.7, 0.81, 0.62, 0.77];
    const b = [0.772, 0.75, 0.8, 0.71, 0.83];
    const five = welchTest(a, b);
    expect(five.t).toBeCloseTo(-1.1662870776972334, 12);
    expect(five.degreesOfFreedom).toBeCloseTo(6.773082282411202, 10);
    expect(five.p).toBeCloseTo(0.28291757733655754, 10);
    // Unequal sizes: ttest_ind([45.1, 47.9, 46.6], [45.0, 48.0, 46.5, 44.0], equal_var=False)
    expect(welchTest([45.1, 47.9, 46.6], [45.0, 48.0, 46.5, 44.0]).p).toBeCloseTo(
      0.6047793461847026,
      10,
    );
  });

  it('is NaN below two seeds a side; without spread, t is 0 (p 1) or infinite (p 0)', () => {
    expect(welchTest([1], [1, 2]).t).toBeNaN();
    expect(welchTest([2, 2], [1, 1])).toMatchObject({ t: Number.POSITIVE_INFINITY, p: 0 });
    expect(welchTest([1, 1], [1, 1])).toMatchObject({ t: 0, p: 1 });
  });
});

describe('pairedTest', () => {
  it('equals scipy.stats.ttest_rel(a, b)', () => {
    // scipy 1.10: ttest_rel([3, 4, 5.5], [1, 2, 3]) = (13.0, 0.005865153227565682), df 2
    const result = pairedTest([3, 4, 5.5], [1, 2, 3]);
    expect(result.t).toBeCloseTo(13, 12);
    expect(result.degreesOfFreedom).toBe(2);
    expect(result.p).toBeCloseTo(0.005865153227565682, 12);
    // ttest_rel(a, b) = (-2.7212053721992304, 0.052920960335520885) for the five-seed samples
    const paired = pairedTest([0.738, 0.7, 0.81, 0.62, 0.77], [0.772, 0.75, 0.8, 0.71, 0.83]);
    expect(paired.t).toBeCloseTo(-2.7212053721992304, 12);
    expect(paired.p).toBeCloseTo(0.052920960335520885, 12);
  });

  it("sees a shift shared by every pair that Welch cannot see through the seeds' spread", () => {
    const baseline = [40, 46, 52];
    const shifted = [39.5, 45.4, 51.6];
    expect(welchTest(shifted, baseline).p).toBeGreaterThan(0.9);
    expect(pairedTest(shifted, baseline).p).toBeLessThan(0.02);
  });

  it('is NaN below two pairs and refuses samples of different sizes', () => {
    expect(pairedTest([1], [2]).t).toBeNaN();
    expect(() => pairedTest([1, 2], [1])).toThrow(/one value per pair, got 2 and 1/);
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
