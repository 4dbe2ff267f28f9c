import { assertIntegerAtLeast } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import { type MatrixView, readMatrix } from './matrix.js';
import { addWeightedRows } from './matrix-multiply.js';

/**
 * Gaussian statistics of a feature set: the mean `mu` (length d), the unbiased covariance
 * `sigma` (d x d, row-major, divided by `count - 1`), both float64, and the number of samples.
 * The same two arrays that EDM's and pytorch-fid's reference `.npz` files hold.
 */
export interface FeatureStats {
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  /** Number of feature vectors behind the statistics; 0 when unknown (a file without it). */
  readonly count: number;
}

/** Rows of features centred and multiplied together per block (fits in a CPU cache). */
const BLOCK_ROWS = 32;

/**
 * Mean and unbiased covariance of features (one sample per row), in float64, by the two-pass
 * centred form `Sigma = sum (f - mu)^T (f - mu) / (N - 1)`, which equals the
 * `(sum f^T f - N mu mu^T) / (N - 1)` without its cancellation. Cost `N d^2 / 2` multiply-adds.
 * For more features than fit in memory at once, use `FeatureStatsAccumulator`.
 *
 * @example
 * featureStats([[0, 0], [2, 0], [1, 3]])
 * // { mu: Float64Array [1, 1], sigma: Float64Array [1, 0, 0, 3], count: 3 }
 */
export function featureStats(features: ArrayInput): FeatureStats {
  return featureStatsOfMatrix(
    readMatrix('featureStats(features): features', features, STATS_REQUIREMENTS),
  );
}

/** What a feature matrix needs for statistics: two rows. */
export const STATS_REQUIREMENTS = Object.freeze({
  minimumRows: 2,
  minimumRowsReason: 'a covariance needs two samples',
});

/**
 * `featureStats` of an already validated matrix.
 *
 * @example featureStatsOfMatrix(readMatrix('a', a, STATS_REQUIREMENTS))
 */
export function featureStatsOfMatrix(matrix: MatrixView): FeatureStats {
  return new FeatureStatsAccumulator(matrix.columns)
    .add({ data: matrix.data, shape: [matrix.rows, matrix.columns] })
    .stats();
}

/**
 * Feature statistics accumulated batch by batch (say, as an ONNX extractor produces them), so
 * that 50k x 2048 features never sit in memory at once. Each batch is centred on its own mean
 * and merged with Chan et al.'s pairwise update, which is as accurate as the two-pass form.
 *
 * @example
 * const accumulator = new FeatureStatsAccumulator();
 * accumulator.add([[0, 0], [2, 0]]).add([[1, 3]]);
 * accumulator.stats(); // same as featureStats([[0, 0], [2, 0], [1, 3]])
 */
export class FeatureStatsAccumulator {
  #dimension: number | undefined;
  #count = 0;
  #mean = new Float64Array(0);
  /** Upper triangle of the sum of centred outer products. */
  #scatter = new Float64Array(0);

  /** `dimension` fixes the feature length up front; otherwise the first batch sets it. */
  constructor(dimension?: number) {
    if (dimension !== undefined) {
      assertIntegerAtLeast('FeatureStatsAccumulator: dimension', dimension, 1);
      this.#allocate(dimension);
    }
  }

  /** Number of feature vectors added so far. */
  get count(): number {
    return this.#count;
  }

  /** The feature length, once known. */
  get dimension(): number | undefined {
    return this.#dimension;
  }

  /** Adds a batch of features (one per row); returns `this`. */
  add(features: ArrayInput): this {
    const matrix = readMatrix('FeatureStatsAccumulator.add(features): features', features, {
      ...(this.#dimension === undefined
        ? {}
        : { columns: this.#dimension, columnsOf: 'the earlier batches' }),
    });
    if (this.#dimension === undefined) this.#allocate(matrix.columns);
    const d = matrix.columns;
    const rows = matrix.rows;
    const { data } = matrix;
    const batchMean = new Float64Array(d);
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < d; column++) {
        batchMean[column] = (batchMean[column] as number) + (data[row * d + column] as number);
      }
    }
    for (let column = 0; column < d; column++)
      batchMean[column] = (batchMean[column] as number) / rows;
    const batchScatter = new Float64Array(d * d);
    const block = new Float64Array(BLOCK_ROWS * d);
    for (let start = 0; start < rows; start += BLOCK_ROWS) {
      const blockRows = Math.min(BLOCK_ROWS, rows - start);
      for (let b = 0; b < blockRows; b++) {
        for (let column = 0; column < d; column++) {
          block[b * d + column] =
            (data[(start + b) * d + column] as number) - (batchMean[column] as number);
        }
      }
      addUpperGram(batchScatter, block, blockRows, d);
    }
    this.#merge(rows, batchMean, batchScatter);
    return this;
  }

  /** The statistics so far: float64 `mu`, unbiased `sigma`, `count`. Needs two samples. */
  stats(): FeatureStats {
    if (this.#count < 2 || this.#dimension === undefined) {
      throw new RangeError(
        `FeatureStatsAccumulator.stats(): needs at least 2 feature vectors, got ${this.#count}`,
      );
    }
    const d = this.#dimension;
    const sigma = new Float64Array(d * d);
    const divisor = this.#count - 1;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const value = (this.#scatter[i * d + j] as number) / divisor;
        sigma[i * d + j] = value;
        sigma[j * d + i] = value;
      }
    }
    return { mu: this.#mean.slice(), sigma, count: this.#count };
  }

  #allocate(dimension: number): void {
    this.#dimension = dimension;
    this.#mean = new Float64Array(dimension);
    this.#scatter = new Float64Array(dimension * dimension);
  }

  /** Chan et al.: M2 = M2_a + M2_b + delta delta^T n_a n_b / n, mean += delta n_b / n. */
  #merge(rows: number, batchMean: Float64Array, batchScatter: Float64Array): void {
    const d = this.#dimension as number;
    const total = this.#count + rows;
    const delta = new Float64Array(d);
    for (let i = 0; i < d; i++) delta[i] = (batchMean[i] as number) - (this.#mean[i] as number);
    const crossWeight = (this.#count * rows) / total;
    for (let i = 0; i < d; i++) {
      const scaled = crossWeight * (delta[i] as number);
      for (let j = i; j < d; j++) {
        this.#scatter[i * d + j] =
          (this.#scatter[i * d + j] as number) +
          (batchScatter[i * d + j] as number) +
          scaled * (delta[j] as number);
      }
    }
    for (let i = 0; i < d; i++) {
      this.#mean[i] = (this.#mean[i] as number) + ((delta[i] as number) * rows) / total;
    }
    this.#count = total;
  }
}

/**
 * Adds the upper triangle of `block^T block` (block: `rows x d`, row-major) into `target`, four
 * block rows at a time (`addWeightedRows`).
 */
function addUpperGram(target: Float64Array, block: Float64Array, rows: number, d: number): void {
  for (let i = 0; i < d; i++) {
    addWeightedRows(target, i * d, block, rows, d, i, { values: block, start: i, stride: d });
  }
}
