import { seededRandom } from '@fdistill/testing';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './symmetric-eigen.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const { normal } = seededRandom(seed);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const value = normal();
      matrix[i * n + j] = value;
      matrix[j * n + i] = value;
    }
  }
  return matrix;
}

function maxAbs(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++)
    largest = Math.max(largest, Math.abs(values[i] as number));
  return largest;
}

describe('symmetricEigen', () => {
  it('finds the closed-form spectrum of the second-difference matrix', () => {
    // tridiag(-1, 2, -1) of size n has eigenvalues 2 - 2 cos(k pi / (n + 1)), k = 1..n.
    const n = 40;
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      matrix[i * n + i] = 2;
      if (i > 0) matrix[i * n + i - 1] = -1;
      if (i < n - 1) matrix[i * n + i + 1] = -1;
    }
    const { values } = symmetricEigen(matrix, n);
    values.forEach((value, index) => {
      const expected = 2 - 2 * Math.cos(((index + 1) * Math.PI) / (n + 1));
      expect(Math.abs(value - expected)).toBeLessThan(1e-13);
    });
  });

  it('returns orthonormal eigenvectors with A v = lambda v, for dense random matrices', () => {
    for (const n of [1, 2, 7, 64]) {
      const matrix = randomSymmetric(n, n);
      const { values, vectors } = symmetricEigen(matrix, n);
      if (!vectors) throw new Error('vectors expected');
      const scale = maxAbs(matrix) * n;
      for (let i = 0; i < n; i++) {
        for (let row = 0; row < n; row++) {
          let product = 0;
          for (let k = 0; k < n; k++)
            product += (matrix[row * n + k] as number) * (vectors[i * n + k] as number);
          expect(
            Math.abs(product - (values[i] as number) * (vectors[i * n + row] as number)),
          ).toBeLessThan(1e-13 * scale);
        }
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let k = 0; k < n; k++)
            dot += (vectors[i * n + k] as number) * (vectors[j * n + k] as number);
          expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-13 * n);
        }
      }
      for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] as number);
      // The values-only path gives the same spectrum.
      const valuesOnly = symmetricEigen(matrix, n, { vectors: false });
      expect(valuesOnly.vectors).toBeUndefined();
      valuesOnly.values.forEach((value, index) => {
        expect(Math.abs(value - (values[index] as number))).toBeLessThan(1e-12 * scale);
      });
    }
  });

  it('handles diagonal, zero and rank-one matrices exactly', () => {
    expect(
      Array.from(symmetricEigen(Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 2), 3).values),
    ).toEqual([-1, 2, 3]);
    expect(Array.from(symmetricEigen(new Float64Array(16), 4).values)).toEqual([0, 0, 0, 0]);
    // u u^T with |u|^2 = 30 has eigenvalues 0, 0, 0, 30.
    const u = [1, 2, 3, 4];
    const outer = Float64Array.from(
      { length: 16 },
      (_, index) => (u[index >> 2] as number) * (u[index & 3] as number),
    );
    const { values } = symmetricEigen(outer, 4);
    expect(values[3]).toBeCloseTo(30, 12);
    for (let i = 0; i < 3; i++) expect(Math.abs(values[i] as number)).toBeLessThan(1e-13);
    const pair = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values;
    expect(pair[0]).toBeCloseTo(1, 14);
    expect(pair[1]).toBeCloseTo(3, 14);
  });

  it('rejects a wrong size, a bad dimension and NaN, naming them', () => {
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(
      'matrix must be a Float64Array of 4 values, got a Float64Array of length 3',
    );
    expect(() => symmetricEigen(new Float64Array(0), 0)).toThrow(
      'dimension must be an integer >= 1',
    );
    expect(() => symmetricEigen(Float64Array.of(1, Number.NaN, Number.NaN, 1), 2)).toThrow(
      'matrix must hold finite numbers, got NaN at [0, 1]',
    );
  });
});
