/**
 * `a b` for square `n x n` row-major float64 matrices. Rows of the result are built as sums of
 * rows of `b` (contiguous memory), four at a time, which keeps the result row in cache and is
 * about three times faster in V8 than one at a time.
 *
 * @example multiplySquare(Float64Array.of(1, 2, 3, 4), Float64Array.of(0, 1, 1, 0), 2) // [2, 1, 4, 3]
 */
export function multiplySquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const output = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const w0 = a[row + k] as number;
      const w1 = a[row + k + 1] as number;
      const w2 = a[row + k + 2] as number;
      const w3 = a[row + k + 3] as number;
      const r0 = k * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      for (let j = 0; j < n; j++) {
        output[row + j] =
          (output[row + j] as number) +
          w0 * (b[r0 + j] as number) +
          w1 * (b[r1 + j] as number) +
          w2 * (b[r2 + j] as number) +
          w3 * (b[r3 + j] as number);
      }
    }
    for (; k < n; k++) {
      const weight = a[row + k] as number;
      const source = k * n;
      for (let j = 0; j < n; j++) {
        output[row + j] = (output[row + j] as number) + weight * (b[source + j] as number);
      }
    }
  }
  return output;
}

/**
 * The transpose of a square `n x n` row-major matrix.
 *
 * @example transposeSquare(Float64Array.of(1, 2, 3, 4), 2) // [1, 3, 2, 4]
 */
export function transposeSquare(a: Float64Array, n: number): Float64Array {
  const output = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) output[j * n + i] = a[i * n + j] as number;
  return output;
}
