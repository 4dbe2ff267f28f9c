import type { ArrayInput } from './array-input.js';
import { toMatrix } from './matrix.js';

/**
 * In-batch similarity: the mean cosine similarity over all pairs of distinct samples, a
 * diversity measure (1 when every sample points the same way; lower is more diverse). Computed
 * in `O(N d)` from the sum of the unit vectors: `(|sum u_i|^2 - N) / (N (N - 1))`. Every sample
 * must have a non-zero norm.
 *
 * @example inBatchSimilarity([[1, 0], [0, 1], [1, 1]]) // (0 + 0.7071 + 0.7071) / 3 = 0.4714
 */
export function inBatchSimilarity(features: ArrayInput): number {
  const argument = 'inBatchSimilarity(features): features';
  const matrix = toMatrix(argument, features, {
    minimumRows: 2,
    minimumRowsReason: 'a pair is needed',
  });
  const { rows, columns, data } = matrix;
  const sum = new Float64Array(columns);
  for (let row = 0; row < rows; row++) {
    let squaredNorm = 0;
    for (let column = 0; column < columns; column++)
      squaredNorm += (data[row * columns + column] as number) ** 2;
    if (squaredNorm === 0) {
      throw new RangeError(`${argument}[${row}] has norm 0, so its cosine similarity is undefined`);
    }
    const inverseNorm = 1 / Math.sqrt(squaredNorm);
    for (let column = 0; column < columns; column++) {
      sum[column] =
        (sum[column] as number) + (data[row * columns + column] as number) * inverseNorm;
    }
  }
  let squaredSumNorm = 0;
  for (const value of sum) squaredSumNorm += value * value;
  return (squaredSumNorm - rows) / (rows * (rows - 1));
}
