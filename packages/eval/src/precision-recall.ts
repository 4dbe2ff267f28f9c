import { assertIntegerAtLeast } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import { toMatrix } from './matrix.js';
import { kthNeighbourSquaredDistances, squaredDistance } from './nearest-neighbours.js';

/** Options of `precisionRecall`. */
export interface PrecisionRecallOptions {
  /** Neighbourhood size of the k-NN manifolds; default 3 (Kynkäänniemi et al.). */
  k?: number;
}

/** Improved precision and recall, each in [0, 1]. */
export interface PrecisionRecall {
  /** Share of fake samples inside the real manifold (quality). */
  readonly precision: number;
  /** Share of real samples inside the fake manifold (coverage of the real distribution). */
  readonly recall: number;
}

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019). Each set's manifold is the union of
 * balls around its samples, the radius of each being the distance to its k-th nearest neighbour
 * in the same set (itself excluded). Precision is the share of fake samples inside the real
 * manifold, recall the share of real samples inside the fake one; "inside" is `distance <= radius`,
 * as in the reference code. Exact (no batching approximations); cost about
 * `(N^2 / 2 + M^2 / 2 + N M) d` multiply-adds for N real and M fake samples of width d.
 *
 * @example
 * precisionRecall(realFeatures, fakeFeatures); // { precision: 0.71, recall: 0.58 }
 * precisionRecall(x, x); // { precision: 1, recall: 1 }
 */
export function precisionRecall(
  real: ArrayInput,
  fake: ArrayInput,
  options: PrecisionRecallOptions = {},
): PrecisionRecall {
  const k = options.k ?? 3;
  assertIntegerAtLeast('precisionRecall: options.k', k, 1);
  const requirement = { minimumRows: k + 1, minimumRowsReason: `k + 1 with k = ${k}` };
  const realMatrix = toMatrix('precisionRecall(real, fake): real', real, requirement);
  const fakeMatrix = toMatrix('precisionRecall(real, fake): fake', fake, {
    ...requirement,
    columns: realMatrix.columns,
    columnsOf: 'real',
  });
  const realRadii = kthNeighbourSquaredDistances(realMatrix, k);
  const fakeRadii = kthNeighbourSquaredDistances(fakeMatrix, k);
  const fakeInsideReal = new Uint8Array(fakeMatrix.rows);
  const realInsideFake = new Uint8Array(realMatrix.rows);
  const d = realMatrix.columns;
  for (let i = 0; i < realMatrix.rows; i++) {
    for (let j = 0; j < fakeMatrix.rows; j++) {
      const distance = squaredDistance(realMatrix.data, i, fakeMatrix.data, j, d);
      if (distance <= (realRadii[i] as number)) fakeInsideReal[j] = 1;
      if (distance <= (fakeRadii[j] as number)) realInsideFake[i] = 1;
    }
  }
  return { precision: mean(fakeInsideReal), recall: mean(realInsideFake) };
}

function mean(flags: Uint8Array): number {
  let sum = 0;
  for (const flag of flags) sum += flag;
  return sum / flags.length;
}
