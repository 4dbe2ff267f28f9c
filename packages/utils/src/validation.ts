/** Throws a RangeError naming `argument` unless `value` is a finite number. */
export function assertFiniteNumber(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${argument} must be a finite number, got ${describeValue(value)}`);
  }
}

/** Throws a RangeError naming `argument` unless `value` is a finite number greater than 0. */
export function assertPositiveNumber(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${argument} must be a finite number > 0, got ${describeValue(value)}`);
  }
}

/** Throws a RangeError naming `argument` unless `value` is an integer of at least `minimum`. */
export function assertIntegerAtLeast(
  argument: string,
  value: unknown,
  minimum: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new RangeError(
      `${argument} must be an integer >= ${minimum}, got ${describeValue(value)}`,
    );
  }
}

/**
 * Throws a RangeError naming `argument` unless `value` is an even integer of at least `minimum`
 * (sizes of sine-cosine pairs, channel counts split in halves).
 *
 * @example assertEvenIntegerAtLeast('NoiseEmbedding: options.size', 15, 2); // throws: ... must be even, got 15
 */
export function assertEvenIntegerAtLeast(
  argument: string,
  value: unknown,
  minimum: number,
): asserts value is number {
  assertIntegerAtLeast(argument, value, minimum);
  if (value % 2 !== 0) throw new RangeError(`${argument} must be even, got ${value}`);
}

/** Throws a TypeError naming `argument` unless `value` is a non-empty string. */
export function assertNonEmptyString(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${argument} must be a non-empty string, got ${describeValue(value)}`);
  }
}

/** Renders a value for an error message: strings quoted, arrays by length, typed arrays and objects by type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
}
