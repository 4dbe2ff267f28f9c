import { describeValue } from '@fdistill/divergence/validation';

export {
  assertFiniteNumber,
  assertIntegerAtLeast,
  assertPositiveNumber,
} from '@fdistill/divergence/validation';

/** Throws a TypeError naming `argument` unless `value` is a non-empty string. */
export function assertNonEmptyString(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${argument} must be a non-empty string, got ${describe(value)}`);
  }
}

/** Renders a value for an error message (the shared `describeValue`). */
export const describe = describeValue;
