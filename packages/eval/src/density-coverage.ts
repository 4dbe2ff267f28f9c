import { assertIntegerAtLeast } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import { toMatrix } from './matrix.js';
import { kthNeighbourSquaredDistances, squaredDistance } from './nearest-neighbours.js';

/** Options of `densityCoverage`. */
export interface DensityCoverageOptions {
  /** Neighbourhood size of the real k-NN balls; default 5 (Naeem et al.). */
  k?: number;
}

/** Density (unbounded, about 1 when fake matches real) and coverage (in [0, 1]). */
export interface DensityCoverage {
  readonly density: number;
  readonly coverage: number;
}

/**
 * Density and coverage (Naeem et al. 2020), from the real samples' k-NN balls only (radius:
 * distance to the k-th nearest other real sample). Density `= 1/(k M) sum_j #{i : fake_j in
 * ball_i}`, coverage = share of real balls that hold at least one fake sample; "in" is
 * `distance < radius`, strictly, as in the reference `prdc` code. Cost about
 * `(N^2 / 2 + N M) d` multiply-adds.
 *
 * @example densityCoverage(realFeatures, fakeFeatures); // { density: 0.93, coverage: 0.88 }
 */
export function densityCoverage(
  real: ArrayInput,
  fake: ArrayInput,
  options: DensityCoverageOptions = {},
): DensityCoverage {
  const k = options.k ?? 5;
  assertIntegerAtLeast('densityCoverage: options.k', k, 1);
  const realMatrix = toMatrix('densityCoverage(real, fake): real', real, {
    minimumRows: k + 1,
    minimumRowsReason: `k + 1 with k = ${k}`,
  });
  const fakeMatrix = toMatrix('densityCoverage(real, fake): fake', fake, {
    columns: realMatrix.columns,
    columnsOf: 'real',
  });
  const radii = kthNeighbourSquaredDistances(realMatrix, k);
  let ballMemberships = 0;
  let coveredBalls = 0;
  const d = realMatrix.columns;
  for (let i = 0; i < realMatrix.rows; i++) {
    const radius = radii[i] as number;
    let covered = false;
    for (let j = 0; j < fakeMatrix.rows; j++) {
      if (squaredDistance(realMatrix.data, i, fakeMatrix.data, j, d) < radius) {
        ballMemberships++;
        covered = true;
      }
    }
    if (covered) coveredBalls++;
  }
  return {
    density: ballMemberships / (k * fakeMatrix.rows),
    coverage: coveredBalls / realMatrix.rows,
  };
}
