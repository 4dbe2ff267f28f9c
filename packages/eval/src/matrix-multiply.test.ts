import { seededRandom } from '@fdistill/testing';
import { describe, expect, it } from 'vitest';
import { multiplySquare, transposeSquare } from './matrix-multiply.js';

describe('multiplySquare', () => {
  it('equals the textbook triple loop, including sizes that are not multiples of 4', () => {
    const { normal } = seededRandom(12);
    for (const n of [1, 3, 4, 7, 9]) {
      const a = Float64Array.from({ length: n * n }, normal);
      const b = Float64Array.from({ length: n * n }, normal);
      const product = multiplySquare(a, b, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let expected = 0;
          for (let k = 0; k < n; k++)
            expected += (a[i * n + k] as number) * (b[k * n + j] as number);
          expect(product[i * n + j]).toBeCloseTo(expected, 12);
        }
      }
    }
    expect(
      Array.from(multiplySquare(Float64Array.of(1, 2, 3, 4), Float64Array.of(0, 1, 1, 0), 2)),
    ).toEqual([2, 1, 4, 3]);
    expect(Array.from(transposeSquare(Float64Array.of(1, 2, 3, 4), 2))).toEqual([1, 3, 2, 4]);
  });
});
