import { assertIntegerAtLeast } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import { readMatrix } from './matrix.js';

/** How a set of generated samples spreads over the classes of a classifier. */
export interface ClassDistribution {
  /** Samples assigned to each class (arg max of the logits). */
  readonly counts: readonly number[];
  /** `counts / N`. */
  readonly shares: readonly number[];
  /** KL(shares || uniform) in nats: 0 when every class gets 1/K, ln K when one class takes all. */
  readonly klToUniform: number;
  /** Classes whose share is at least a fifth of the uniform share 1/K. */
  readonly classesCovered: number;
  readonly maxShare: number;
  readonly minShare: number;
  /**
   * With requested labels (class-conditional sampling): the share of samples the classifier puts
   * in the class they were generated for.
   */
  readonly labelAccuracy?: number;
}

/**
 * The class histogram of generated samples from a classifier's logits [N, K] (each sample goes
 * to its arg max), its KL divergence to the uniform distribution, the classes covered, the
 * extreme shares, and, when the labels the samples were generated for are given, the share
 * classified as requested.
 *
 * @example
 * classDistribution([[2, 0], [0, 3], [1, 0]], { requestedLabels: [0, 1, 1] });
 * // counts [2, 1], shares [0.667, 0.333], labelAccuracy 0.667
 */
export function classDistribution(
  logits: ArrayInput,
  options: { requestedLabels?: readonly number[] } = {},
): ClassDistribution {
  const matrix = readMatrix('classDistribution(logits): logits', logits, { minimumRows: 1 });
  const { rows, columns, data } = matrix;
  assertIntegerAtLeast('classDistribution(logits): logits columns (classes)', columns, 2);
  const requested = options.requestedLabels;
  if (requested !== undefined) {
    if (requested.length !== rows) {
      throw new RangeError(
        `classDistribution: options.requestedLabels must hold one label per sample (${rows}), got ${requested.length}`,
      );
    }
    requested.forEach((label, index) => {
      if (!(Number.isInteger(label) && label >= 0 && label < columns)) {
        throw new RangeError(
          `classDistribution: options.requestedLabels[${index}] must be an integer in [0, ${columns - 1}], got ${label}`,
        );
      }
    });
  }
  const counts = new Array<number>(columns).fill(0);
  let matches = 0;
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let column = 1; column < columns; column++) {
      if ((data[row * columns + column] as number) > (data[row * columns + best] as number))
        best = column;
    }
    counts[best] = (counts[best] as number) + 1;
    if (requested !== undefined && requested[row] === best) matches += 1;
  }
  const shares = counts.map((count) => count / rows);
  const uniform = 1 / columns;
  const klToUniform = shares.reduce(
    (sum, share) => (share > 0 ? sum + share * Math.log(share / uniform) : sum),
    0,
  );
  return {
    counts,
    shares,
    klToUniform,
    classesCovered: shares.filter((share) => share >= uniform / 5).length,
    maxShare: Math.max(...shares),
    minShare: Math.min(...shares),
    ...(requested === undefined ? {} : { labelAccuracy: matches / rows }),
  };
}
