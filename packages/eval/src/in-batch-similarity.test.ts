import { normalRows, seededRandom } from '@fdistill/testing';
import { describe, expect, it } from 'vitest';
import { inBatchSimilarity } from './in-batch-similarity.js';

describe('inBatchSimilarity', () => {
  it('matches hand values: identical 1, orthogonal 0, opposite -1', () => {
    expect(
      inBatchSimilarity([
        [1, 2],
        [2, 4],
        [3, 6],
      ]),
    ).toBeCloseTo(1, 14);
    expect(
      inBatchSimilarity([
        [1, 0, 0],
        [0, 2, 0],
        [0, 0, 3],
      ]),
    ).toBeCloseTo(0, 14);
    expect(
      inBatchSimilarity([
        [1, 1],
        [-2, -2],
      ]),
    ).toBeCloseTo(-1, 14);
    expect(
      inBatchSimilarity([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
    ).toBeCloseTo(Math.SQRT2 / 3, 14);
  });

  it('equals the brute-force mean over pairs', () => {
    const rows = normalRows(seededRandom(8), 40, 5, 0.3);
    const norm = (row: number[]) => Math.hypot(...row);
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const a = rows[i] as number[];
        const b = rows[j] as number[];
        sum +=
          a.reduce((total, value, index) => total + value * (b[index] as number), 0) /
          (norm(a) * norm(b));
        pairs++;
      }
    }
    expect(inBatchSimilarity(rows)).toBeCloseTo(sum / pairs, 13);
  });

  it('rejects zero vectors and single samples', () => {
    expect(() =>
      inBatchSimilarity([
        [1, 0],
        [0, 0],
      ]),
    ).toThrow('features[1] has norm 0, so its cosine similarity is undefined');
    expect(() => inBatchSimilarity([[1, 0]])).toThrow(
      'must have at least 2 rows (a pair is needed)',
    );
  });
});
