import '@tensorflow/tfjs';
import { normalRows, seededRandom } from '@fdistill/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { densityCoverage } from './density-coverage.js';
import { toMatrix } from './matrix.js';
import { kthNeighbourSquaredDistances } from './nearest-neighbours.js';
import { precisionRecall } from './precision-recall.js';

const column = (values: number[]) => values.map((value) => [value]);

describe('kthNeighbourSquaredDistances', () => {
  it('excludes the row itself and counts duplicates at distance 0', () => {
    expect(Array.from(kthNeighbourSquaredDistances(toMatrix('x', column([0, 1, 3])), 1))).toEqual([
      1, 1, 4,
    ]);
    expect(Array.from(kthNeighbourSquaredDistances(toMatrix('x', column([0, 1, 3])), 2))).toEqual([
      9, 4, 9,
    ]);
    expect(Array.from(kthNeighbourSquaredDistances(toMatrix('x', column([5, 5, 7])), 1))).toEqual([
      0, 0, 4,
    ]);
  });
});

describe('precisionRecall', () => {
  const random = seededRandom(11);
  const points = normalRows(random, 200, 8);

  it('is 1 and 1 for a set against itself', () => {
    expect(precisionRecall(points, points)).toEqual({ precision: 1, recall: 1 });
  });

  it('is 0 and 0 against a disjoint set', () => {
    const far = points.map((row) => row.map((value) => value + 100));
    expect(precisionRecall(points, far)).toEqual({ precision: 0, recall: 0 });
  });

  it('matches hand-computed values on the line (k = 1), distance <= radius counting', () => {
    // Real balls: radius 1 around 0..4, radius 1 around 20 and 21.
    // Fake balls: 0.5 and 2.2 have radius 1.7, 4.9 has 2.7, 10 has 5.1.
    const real = column([0, 1, 2, 3, 4, 20, 21]);
    const fake = column([0.5, 2.2, 4.9, 10]);
    // 10 is in no real ball; 20 and 21 are in no fake ball.
    expect(precisionRecall(real, fake, { k: 1 })).toEqual({ precision: 3 / 4, recall: 5 / 7 });
    // A fake sample exactly on the boundary of a real ball counts as inside.
    expect(precisionRecall(column([0, 1, 2, 3]), column([4, 100]), { k: 1 }).precision).toBe(0.5);
  });

  it('accepts tensors and flat arrays, and drops with partial overlap', () => {
    const shifted = points.map((row) =>
      row.map((value, index) => (index === 0 ? value + 3 : value)),
    );
    const tensor = tf.tensor2d(shifted);
    const result = precisionRecall(
      { data: new Float64Array(points.flat()), shape: [200, 8] },
      tensor,
    );
    expect(result).toEqual(precisionRecall(points, shifted));
    expect(result.precision).toBeGreaterThan(0.05);
    expect(result.precision).toBeLessThan(0.95);
    tensor.dispose();
  });

  it('validates k, ranks, widths and sample counts up front', () => {
    expect(() => precisionRecall(column([0, 1, 2]), column([0, 1, 2, 3]))).toThrow(
      'precisionRecall(real, fake): real must have at least 4 rows (k + 1 with k = 3), got 3',
    );
    expect(() => precisionRecall(points, [[1, 2]], { k: 3 })).toThrow(
      'fake must have at least 4 rows (k + 1 with k = 3), got 1',
    );
    expect(() => precisionRecall(points, normalRows(random, 10, 7))).toThrow(
      'fake must have 8 columns like real, got 7',
    );
    expect(() => precisionRecall(points, points, { k: 0 })).toThrow(
      'options.k must be an integer >= 1, got 0',
    );
    expect(() => precisionRecall({ data: [1, 2, 3], shape: [3] }, points)).toThrow(
      'real must be 2-D (one sample per row), got rank 1',
    );
  });
});

describe('densityCoverage', () => {
  it('matches hand-computed values on the line (k = 1), distance < radius counting', () => {
    const real = column([0, 1, 2, 3, 4]);
    // 0.5 is in the balls of 0 and 1; 2 only in its own (1 and 3 sit on the boundary); 10 in none.
    expect(densityCoverage(real, column([0.5, 2, 10]), { k: 1 })).toEqual({
      density: 3 / 3,
      coverage: 3 / 5,
    });
    expect(densityCoverage(real, real, { k: 1 })).toEqual({ density: 1, coverage: 1 });
    expect(densityCoverage(real, column([100, 200]), { k: 1 })).toEqual({
      density: 0,
      coverage: 0,
    });
  });

  it('gives density about 1 and coverage about 1 - 2^-k for two samples of one distribution', () => {
    const random = seededRandom(5);
    const real = normalRows(random, 2000, 2);
    const fake = normalRows(random, 2000, 2);
    const { density, coverage } = densityCoverage(real, fake);
    expect(Math.abs(density - 1)).toBeLessThan(0.05);
    expect(Math.abs(coverage - (1 - 2 ** -5))).toBeLessThan(0.015);
  });

  it('validates its inputs', () => {
    expect(() => densityCoverage(column([0, 1, 2]), column([0]))).toThrow(
      'densityCoverage(real, fake): real must have at least 6 rows (k + 1 with k = 5), got 3',
    );
    expect(() => densityCoverage(column([0, 1]), column([Number.NaN]), { k: 1 })).toThrow(
      'fake must hold finite numbers, got NaN at index [0, 0]',
    );
  });
});
