import { normalRows, seededRandom } from '@fdistill/testing';
import { describe, expect, it } from 'vitest';
import { kernelInceptionDistance } from './kernel-inception-distance.js';

/**
 * MMD^2 from the full Gram matrices: unbiased (diagonals of the within-set sums removed, as KID)
 * or biased (the V-statistic, diagonals kept).
 */
function directMmd(x: number[][], y: number[][], biased = false): number {
  const d = x[0]?.length ?? 1;
  const kernel = (a: number[], b: number[]) =>
    (a.reduce((sum, value, index) => sum + value * (b[index] as number), 0) / d + 1) ** 3;
  const m = x.length;
  let within = 0;
  let across = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (biased || i !== j) {
        within +=
          kernel(x[i] as number[], x[j] as number[]) + kernel(y[i] as number[], y[j] as number[]);
      }
      across += kernel(x[i] as number[], y[j] as number[]);
    }
  }
  return within / (biased ? m * m : m * (m - 1)) - (2 * across) / (m * m);
}

describe('kernelInceptionDistance', () => {
  it('equals the direct unbiased estimator when the subset is the whole set', () => {
    const x = [[1], [2], [3]];
    const y = [[0], [1], [4]];
    const result = kernelInceptionDistance(x, y, { subsetSize: 3 });
    expect(result.subsets).toBe(1);
    expect(result.std).toBe(0);
    expect(result.mean).toBeCloseTo(directMmd(x, y), 10);
    const random = seededRandom(2);
    const a = normalRows(random, 30, 6);
    const b = normalRows(random, 30, 6, 0.4);
    expect(kernelInceptionDistance(a, b).mean).toBeCloseTo(directMmd(a, b), 10);
  });

  it('is unbiased: over repeats, two samples of one distribution average to about 0', () => {
    const random = seededRandom(9);
    const repeats = 400;
    const estimates: number[] = [];
    let biasedSum = 0;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const x = normalRows(random, 20, 4);
      const y = normalRows(random, 20, 4);
      estimates.push(kernelInceptionDistance(x, y).mean);
      biasedSum += directMmd(x, y, true);
    }
    const mean = estimates.reduce((sum, value) => sum + value, 0) / repeats;
    const spread = Math.sqrt(
      estimates.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (repeats - 1),
    );
    const standardError = spread / Math.sqrt(repeats);
    expect(Math.abs(mean)).toBeLessThan(3 * standardError);
    // The test can tell: the biased estimator is clearly positive on the same data.
    expect(biasedSum / repeats).toBeGreaterThan(10 * standardError);
  });

  it('averages subsets to the closed-form population MMD^2 of two 1-D Gaussians', () => {
    // d = 1: k(x, y) = 1 + 3 x y + 3 x^2 y^2 + x^3 y^3, so
    // MMD^2 = 3 (E x - E y)^2 + 3 (E x^2 - E y^2)^2 + (E x^3 - E y^3)^2.
    // N(0, 1) vs N(0.5, 1): moments (0, 1, 0) and (0.5, 1.25, 1.625): 0.75 + 0.1875 + 2.640625.
    const random = seededRandom(4);
    const x = normalRows(random, 4000, 1);
    const y = normalRows(random, 4000, 1, 0.5);
    const result = kernelInceptionDistance(x, y, { subsets: 50, subsetSize: 1000, seed: 1 });
    expect(result.subsetSize).toBe(1000);
    expect(result.subsets).toBe(50);
    expect(Math.abs(result.mean / 3.578125 - 1)).toBeLessThan(0.05);
    expect(result.std).toBeGreaterThan(0);
    // Same seed, same answer.
    expect(kernelInceptionDistance(x, y, { subsets: 50, subsetSize: 1000, seed: 1 })).toEqual(
      result,
    );
  });

  it('validates its inputs and options', () => {
    expect(() => kernelInceptionDistance([[1]], [[1], [2]])).toThrow(
      'real must have at least 2 rows (the unbiased estimator needs two), got 1',
    );
    expect(() => kernelInceptionDistance([[1], [2]], [[1], [2]], { subsets: 0 })).toThrow(
      'options.subsets must be an integer >= 1, got 0',
    );
    expect(() =>
      kernelInceptionDistance(
        [[1], [2]],
        [
          [1, 2],
          [2, 3],
        ],
      ),
    ).toThrow('fake must have 1 columns like real, got 2');
  });
});
