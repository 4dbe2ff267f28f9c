import { type ArrayInput, assertAllFinite, readArrayInput } from './array-input.js';

/** A dense row-major matrix of float64 values: one sample per row. */
export interface Matrix {
  readonly rows: number;
  readonly columns: number;
  readonly data: Float64Array;
}

/** What `toMatrix` checks besides rank 2 and finite values. */
export interface MatrixRequirements {
  /** Fewest rows accepted; default 1. */
  minimumRows?: number;
  /** Why `minimumRows` rows are needed, for the error message (e.g. `'k + 1 with k = 3'`). */
  minimumRowsReason?: string;
  /** The number of columns the matrix must have, when it must match another argument. */
  columns?: number;
  /** The argument whose number of columns is required, for the error message. */
  columnsOf?: string;
}

/** A validated 2-D input whose values are read in place (not copied). */
export interface MatrixView {
  readonly rows: number;
  readonly columns: number;
  readonly data: ArrayLike<number>;
}

/**
 * Validates a 2-D input (one sample per row) and copies it into a float64 `Matrix`: rank 2,
 * at least `minimumRows` rows, at least one column (or exactly `columns`), no NaN or infinity.
 * Errors name `argument` and the expected value.
 *
 * @example toMatrix('real', [[0, 1], [2, 3]]) // { rows: 2, columns: 2, data: Float64Array [0, 1, 2, 3] }
 */
export function toMatrix(
  argument: string,
  input: ArrayInput,
  requirements: MatrixRequirements = {},
): Matrix {
  const { rows, columns, data } = readMatrix(argument, input, requirements);
  return {
    rows,
    columns,
    data: data instanceof Float64Array ? data.slice() : Float64Array.from(data),
  };
}

/**
 * `toMatrix` without the copy: the same checks, and the values as they came (a Float32Array
 * stays a Float32Array). For inputs too large to copy, such as 50k Inception features.
 *
 * @example readMatrix('features', { data: new Float32Array(6), shape: [3, 2] }).rows // 3
 */
export function readMatrix(
  argument: string,
  input: ArrayInput,
  requirements: MatrixRequirements = {},
): MatrixView {
  const values = readArrayInput(argument, input);
  const { shape } = values;
  if (shape.length !== 2) {
    throw new RangeError(
      `${argument} must be 2-D (one sample per row), got rank ${shape.length} with shape [${shape.join(', ')}]`,
    );
  }
  const rows = shape[0] as number;
  const minimumRows = requirements.minimumRows ?? 1;
  if (rows === 0 && minimumRows === 0) {
    // `[]` has no row to take a width from: it fits any required width.
    return {
      rows,
      columns: requirements.columns ?? (shape[1] as number),
      data: new Float64Array(0),
    };
  }
  const columns = shape[1] as number;
  if (rows < minimumRows) {
    const reason = requirements.minimumRowsReason ? ` (${requirements.minimumRowsReason})` : '';
    throw new RangeError(
      `${argument} must have at least ${minimumRows} rows${reason}, got ${rows}`,
    );
  }
  if (requirements.columns !== undefined && columns !== requirements.columns) {
    const source = requirements.columnsOf ? ` like ${requirements.columnsOf}` : '';
    throw new RangeError(
      `${argument} must have ${requirements.columns} columns${source}, got ${columns}`,
    );
  }
  if (columns < 1) {
    throw new RangeError(`${argument} must have at least 1 column, got 0`);
  }
  assertAllFinite(argument, values);
  return { rows, columns, data: values.data };
}
