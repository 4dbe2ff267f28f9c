/** How far one backend's f-distill steps are from a reference backend's. */
export interface DistillStepDifferences {
  /** The largest difference of a reported loss, relative to the reference loss. */
  losses: number;
  /**
   * The norm (over every parameter) of the difference of the parameter updates, relative to the
   * norm of the reference update. AdamW's first steps move each element by about the learning
   * rate times the sign of its gradient, so an element whose gradient is rounding noise may move
   * either way on either backend: elementwise comparisons of the updates do not hold.
   */
  updates: number;
}

/** The largest difference of two equal-length lists, relative to each reference value. */
function largestRelativeDifference(actual: Float32Array, expected: Float32Array): number {
  let largest = 0;
  expected.forEach((value, index) => {
    const difference = Math.abs((actual[index] as number) - value);
    largest = Math.max(largest, difference / Math.max(Math.abs(value), 1e-12));
  });
  return largest;
}

/** The Euclidean norm of `after - before` over every element of every output. */
function normOfDifference(after: Float32Array[], before: Float32Array[]): number {
  let sum = 0;
  before.forEach((values, output) => {
    const other = after[output] as Float32Array;
    values.forEach((value, index) => {
      sum += ((other[index] as number) - value) ** 2;
    });
  });
  return Math.sqrt(sum);
}

/**
 * For tests and the GPU check: compares the outputs of `twoMixtureDistillSteps` or
 * `twoImageDistillSteps` (the losses, the parameters after, the parameters before) on a backend
 * with the reference backend's.
 *
 * @example const { losses, updates } = distillStepDifferences(webgpuValues, cpuValues);
 */
export function distillStepDifferences(
  actual: Float32Array[],
  reference: Float32Array[],
): DistillStepDifferences {
  const sizes = (outputs: Float32Array[]) => outputs.map((values) => values.length).join(',');
  if (sizes(actual) !== sizes(reference)) {
    throw new RangeError('distillStepDifferences: the two runs returned different shapes');
  }
  const count = (reference.length - 1) / 2;
  const before = reference.slice(1 + count);
  const referenceAfter = reference.slice(1, 1 + count);
  return {
    losses: largestRelativeDifference(actual[0] as Float32Array, reference[0] as Float32Array),
    updates:
      normOfDifference(actual.slice(1, 1 + count), referenceAfter) /
      normOfDifference(referenceAfter, before),
  };
}
