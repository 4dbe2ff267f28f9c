export { formatTable } from './format-table.js';
export { seededUniform } from './seeded-uniform.js';
export {
  assertEvenIntegerAtLeast,
  assertFiniteNumber,
  assertIntegerAtLeast,
  assertNonEmptyString,
  assertPositiveNumber,
  describeValue,
} from './validation.js';
