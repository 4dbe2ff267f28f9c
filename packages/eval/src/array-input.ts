import { describeValue } from '@fdistill/utils';

/**
 * A tfjs tensor, or anything shaped like one. Only `shape` and `dataSync()` are read, so this
 * package needs no tfjs at run time; a tensor on a GPU backend is downloaded once.
 */
export interface TensorLike {
  readonly shape: readonly number[];
  dataSync(): unknown;
}

/** A flat array of numbers in row-major (C) order, with its shape. */
export interface ShapedArray {
  /** A Float32Array, Float64Array, other numeric typed array, or number[]. */
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** Rows of numbers (`number[][]`), a flat array with a shape, or a tensor. */
export type ArrayInput = readonly (readonly number[])[] | ShapedArray | TensorLike;

/** The values of an input, flat and row-major, with its shape. */
export interface FlatArray {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/**
 * True for a tfjs tensor or anything with `shape` and `dataSync()`.
 *
 * @example isTensorLike(tf.zeros([2, 2])) // true; isTensorLike([[1]]) // false
 */
export function isTensorLike(value: unknown): value is TensorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TensorLike).dataSync === 'function' &&
    Array.isArray((value as TensorLike).shape)
  );
}

/**
 * Reads any `ArrayInput` into flat values and a shape, checking that the shape is made of
 * non-negative integers and matches the number of values. Rows of numbers must all have the
 * same length. Values are not copied when they already are flat.
 *
 * @example readArrayInput('x', [[1, 2], [3, 4]]) // { data: Float64Array [1, 2, 3, 4], shape: [2, 2] }
 */
export function readArrayInput(argument: string, input: ArrayInput): FlatArray {
  if (Array.isArray(input)) return readRows(argument, input as readonly (readonly number[])[]);
  if (isTensorLike(input)) {
    const shape = [...input.shape];
    assertShape(argument, shape);
    const data = input.dataSync();
    if (!isNumericArray(data)) {
      throw new TypeError(
        `${argument} must be a numeric tensor, got ${describeValue(data)} values`,
      );
    }
    return checkLength(argument, { data, shape });
  }
  if (typeof input === 'object' && input !== null && 'data' in input && 'shape' in input) {
    const { data, shape } = input as ShapedArray;
    if (!Array.isArray(shape)) {
      throw new TypeError(
        `${argument}.shape must be an array of integers, got ${describeValue(shape)}`,
      );
    }
    if (!isNumericArray(data)) {
      throw new TypeError(
        `${argument}.data must be a Float32Array, Float64Array or number[], got ${describeValue(data)}`,
      );
    }
    assertShape(argument, shape);
    return checkLength(argument, { data, shape: [...shape] });
  }
  throw new TypeError(
    `${argument} must be a number[][], { data, shape } or a tensor, got ${describeValue(input)}`,
  );
}

/**
 * Throws a RangeError naming `argument` at the first value that is NaN or infinite.
 *
 * @example assertAllFinite('x', { data: [1, NaN], shape: [1, 2] }) // throws 'x must hold finite numbers, got NaN at index [0, 1]'
 */
export function assertAllFinite(argument: string, values: FlatArray): void {
  const { data, shape } = values;
  for (let index = 0; index < data.length; index++) {
    const value = data[index] as number;
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `${argument} must hold finite numbers, got ${value} at index [${unravelIndex(index, shape).join(', ')}]`,
      );
    }
  }
}

function readRows(argument: string, rows: readonly (readonly number[])[]): FlatArray {
  const columns = Array.isArray(rows[0]) ? rows[0].length : 0;
  const data = new Float64Array(rows.length * columns);
  rows.forEach((row, rowIndex) => {
    if (!Array.isArray(row)) {
      throw new TypeError(
        `${argument}[${rowIndex}] must be an array of numbers, got ${describeValue(row)}`,
      );
    }
    if (row.length !== columns) {
      throw new RangeError(
        `${argument}[${rowIndex}] must have ${columns} values like row 0, got ${row.length}`,
      );
    }
    for (let column = 0; column < columns; column++) {
      const value = row[column];
      if (typeof value !== 'number') {
        throw new TypeError(
          `${argument}[${rowIndex}][${column}] must be a number, got ${describeValue(value)}`,
        );
      }
      data[rowIndex * columns + column] = value;
    }
  });
  return { data, shape: [rows.length, columns] };
}

function isNumericArray(value: unknown): value is ArrayLike<number> {
  if (Array.isArray(value)) return value.every((entry) => typeof entry === 'number');
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !isBigIntArray(value);
}

function isBigIntArray(value: ArrayBufferView): boolean {
  return value instanceof BigInt64Array || value instanceof BigUint64Array;
}

function assertShape(argument: string, shape: readonly unknown[]): void {
  if (!shape.every((size) => typeof size === 'number' && Number.isInteger(size) && size >= 0)) {
    throw new TypeError(
      `${argument}.shape must hold non-negative integers, got [${shape.join(', ')}]`,
    );
  }
}

function checkLength(argument: string, values: FlatArray): FlatArray {
  const expected = values.shape.reduce((product, size) => product * size, 1);
  if (values.data.length !== expected) {
    throw new RangeError(
      `${argument} has shape [${values.shape.join(', ')}], so it needs ${expected} values, got ${values.data.length}`,
    );
  }
  return values;
}

function unravelIndex(index: number, shape: readonly number[]): number[] {
  const position: number[] = [];
  let remainder = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis] as number;
    position.unshift(remainder % size);
    remainder = Math.floor(remainder / size);
  }
  return position;
}
