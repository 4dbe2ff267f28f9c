import type { Matrix } from './matrix.js';

/**
 * Squared Euclidean distance between row `i` of `a` and row `j` of `b` (same width `d`).
 *
 * @example squaredDistance(Float64Array.of(0, 0, 3, 4), 0, Float64Array.of(0, 0, 3, 4), 1, 2) // 25
 */
export function squaredDistance(
  a: Float64Array,
  i: number,
  b: Float64Array,
  j: number,
  d: number,
): number {
  let sum = 0;
  const rowA = i * d;
  const rowB = j * d;
  for (let column = 0; column < d; column++) {
    const difference = (a[rowA + column] as number) - (b[rowB + column] as number);
    sum += difference * difference;
  }
  return sum;
}

/**
 * For every row, the squared distance to its k-th nearest neighbour among the other rows (the
 * radius of its k-NN ball; the row itself is excluded, so a duplicate row counts at distance 0).
 * Each pair is measured once: `N (N - 1) / 2` distances of `d` multiply-adds.
 *
 * @example kthNeighbourSquaredDistances(toMatrix('x', [[0], [1], [3]]), 1) // [1, 1, 4]
 */
export function kthNeighbourSquaredDistances(matrix: Matrix, k: number): Float64Array {
  const { rows, columns, data } = matrix;
  // nearest[i * k .. i * k + k - 1]: the k smallest squared distances of row i, ascending.
  const nearest = new Float64Array(rows * k).fill(Number.POSITIVE_INFINITY);
  const insert = (row: number, value: number) => {
    const start = row * k;
    if (value >= (nearest[start + k - 1] as number)) return;
    let position = start + k - 1;
    while (position > start && (nearest[position - 1] as number) > value) {
      nearest[position] = nearest[position - 1] as number;
      position--;
    }
    nearest[position] = value;
  };
  for (let i = 0; i < rows; i++) {
    for (let j = i + 1; j < rows; j++) {
      const distance = squaredDistance(data, i, data, j, columns);
      insert(i, distance);
      insert(j, distance);
    }
  }
  const radii = new Float64Array(rows);
  for (let row = 0; row < rows; row++) radii[row] = nearest[row * k + k - 1] as number;
  return radii;
}
