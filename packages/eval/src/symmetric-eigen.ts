import { assertIntegerAtLeast, describeValue } from '@fdistill/utils';

/** Eigenvalues in ascending order and, when asked for, the matching unit eigenvectors. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Row `i` (entries `i * n` to `i * n + n - 1`) is the unit eigenvector of `values[i]`. */
  readonly vectors?: Float64Array;
}

/** Options of `symmetricEigen`. */
export interface SymmetricEigenOptions {
  /** Also compute the eigenvectors (about three times the work); default true. */
  vectors?: boolean;
}

/** QL sweeps allowed per eigenvalue before giving up (LAPACK allows 30). */
const MAX_ITERATIONS_PER_VALUE = 30;

/**
 * Eigendecomposition of a real symmetric `n x n` matrix (row-major, float64; its symmetric part
 * `(A + A^T) / 2` is used): Householder reduction to tridiagonal form, then the implicit QL
 * algorithm with Wilkinson-style shifts (the EISPACK `tred2` / `tql2` pair, as in LAPACK's
 * `dsteqr`). Backward stable: eigenvalues are exact for a matrix within a few ulps of the input.
 * Cost: about `4/3 n^3` multiply-adds for the values, `9 n^3` with the vectors; the matrices
 * are stored transposed so that every inner loop runs over contiguous memory.
 *
 * @example
 * symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values // Float64Array [1, 3] (to rounding)
 */
export function symmetricEigen(
  matrix: Float64Array,
  dimension: number,
  options: SymmetricEigenOptions = {},
): SymmetricEigen {
  assertIntegerAtLeast('symmetricEigen: dimension', dimension, 1);
  if (!(matrix instanceof Float64Array) || matrix.length !== dimension * dimension) {
    throw new RangeError(
      `symmetricEigen(matrix, dimension): matrix must be a Float64Array of ${dimension * dimension} values, got ${describeValue(matrix)}${matrix?.length === undefined ? '' : ` of length ${matrix.length}`}`,
    );
  }
  const n = dimension;
  const withVectors = options.vectors ?? true;
  // work[j * n + k] plays the role of V[k][j] in tred2/tql2: column accesses become contiguous.
  const work = new Float64Array(n * n);
  for (let row = 0; row < n; row++) {
    for (let column = 0; column < n; column++) {
      const value =
        0.5 * ((matrix[row * n + column] as number) + (matrix[column * n + row] as number));
      if (!Number.isFinite(value)) {
        throw new RangeError(
          `symmetricEigen(matrix): matrix must hold finite numbers, got ${value} at [${row}, ${column}]`,
        );
      }
      work[row * n + column] = value;
    }
  }
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  const matrices = { work, n, d: diagonal, e: offDiagonal, withVectors };
  reduceToTridiagonal(matrices);
  diagonalizeTridiagonal(matrices);
  sortAscending(work, n, diagonal, withVectors);
  return withVectors ? { values: diagonal, vectors: work } : { values: diagonal };
}

/**
 * What the two EISPACK steps work on: `work` (n x n, row-major: the matrix, then the accumulated
 * transformation), the diagonal `d` and the off-diagonal `e`.
 */
interface Tridiagonalization {
  work: Float64Array;
  n: number;
  d: Float64Array;
  e: Float64Array;
  withVectors: boolean;
}

/** Householder reduction (tred2); on return `work` holds the orthogonal transformation. */
function reduceToTridiagonal(matrices: Tridiagonalization): void {
  const { work, n, d, e, withVectors } = matrices;
  for (let j = 0; j < n; j++) d[j] = work[j * n + n - 1] as number;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = work[j * n + i - 1] as number;
        work[j * n + i] = 0;
        work[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        const scaled = (d[k] as number) / scale;
        d[k] = scaled;
        h += scaled * scaled;
      }
      let f = d[i - 1] as number;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        work[i * n + j] = f;
        const column = j * n;
        g = (e[j] as number) + (work[column + j] as number) * f;
        for (let k = j + 1; k < i; k++) {
          const entry = work[column + k] as number;
          g += entry * (d[k] as number);
          e[k] = (e[k] as number) + entry * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = (e[j] as number) / h;
        f += (e[j] as number) * (d[j] as number);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = (e[j] as number) - hh * (d[j] as number);
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        g = e[j] as number;
        const column = j * n;
        for (let k = j; k < i; k++) {
          work[column + k] =
            (work[column + k] as number) - (f * (e[k] as number) + g * (d[k] as number));
        }
        d[j] = work[column + i - 1] as number;
        work[column + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!withVectors) {
    // The diagonal of the tridiagonal form is left on the diagonal of `work`.
    for (let j = 0; j < n; j++) d[j] = work[j * n + j] as number;
    e[0] = 0;
    return;
  }
  // Accumulate the Householder transformations.
  for (let i = 0; i < n - 1; i++) {
    work[i * n + n - 1] = work[i * n + i] as number;
    work[i * n + i] = 1;
    const h = d[i + 1] as number;
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = (work[next + k] as number) / h;
      for (let j = 0; j <= i; j++) {
        const column = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += (work[next + k] as number) * (work[column + k] as number);
        for (let k = 0; k <= i; k++)
          work[column + k] = (work[column + k] as number) - g * (d[k] as number);
      }
    }
    for (let k = 0; k <= i; k++) work[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = work[j * n + n - 1] as number;
    work[j * n + n - 1] = 0;
  }
  work[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal matrix (tql2); rotates `work` when asked. */
function diagonalizeTridiagonal(matrices: Tridiagonalization): void {
  const { work, n, d, e, withVectors } = matrices;
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let shiftSum = 0;
  let largest = 0;
  const epsilon = 2 ** -52;
  for (let l = 0; l < n; l++) {
    largest = Math.max(largest, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n - 1 && Math.abs(e[m] as number) > epsilon * largest) m++;
    if (m > l) {
      let iterations = 0;
      do {
        iterations++;
        if (iterations > MAX_ITERATIONS_PER_VALUE) {
          throw new Error(
            `symmetricEigen: the QL iteration did not converge for eigenvalue ${l} of ${n}`,
          );
        }
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const nextDiagonal = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
        shiftSum += h;
        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const nextOffDiagonal = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = Math.hypot(p, e[i] as number);
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          if (withVectors) {
            const left = i * n;
            const right = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const rightValue = work[right + k] as number;
              const leftValue = work[left + k] as number;
              work[right + k] = s * leftValue + c * rightValue;
              work[left + k] = c * leftValue - s * rightValue;
            }
          }
        }
        p = (-s * s2 * c3 * nextOffDiagonal * (e[l] as number)) / nextDiagonal;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] as number) > epsilon * largest);
    }
    d[l] = (d[l] as number) + shiftSum;
    e[l] = 0;
  }
}

/** Sorts eigenvalues ascending, moving the eigenvector rows with them. */
function sortAscending(work: Float64Array, n: number, d: Float64Array, withVectors: boolean): void {
  for (let i = 0; i < n - 1; i++) {
    let smallest = i;
    for (let j = i + 1; j < n; j++) if ((d[j] as number) < (d[smallest] as number)) smallest = j;
    if (smallest === i) continue;
    const value = d[i] as number;
    d[i] = d[smallest] as number;
    d[smallest] = value;
    if (withVectors) {
      const row = work.slice(i * n, i * n + n);
      work.copyWithin(i * n, smallest * n, smallest * n + n);
      work.set(row, smallest * n);
    }
  }
}
