/**
 * Spearman's rank correlation of two equally long lists (ties ranked by position).
 *
 * @example rankCorrelation([1, 2, 3], [30, 20, 10]) // -1
 */
export function rankCorrelation(first: readonly number[], second: readonly number[]): number {
  const ranks = (values: readonly number[]) => {
    const order = values
      .map((_, index) => index)
      .sort((a, b) => (values[a] as number) - (values[b] as number));
    const rank = new Array<number>(values.length);
    order.forEach((index, position) => {
      rank[index] = position;
    });
    return rank;
  };
  const a = ranks(first);
  const b = ranks(second);
  const mean = (a.length - 1) / 2;
  let covariance = 0;
  let variance = 0;
  for (let index = 0; index < a.length; index++) {
    covariance += ((a[index] as number) - mean) * ((b[index] as number) - mean);
    variance += ((a[index] as number) - mean) ** 2;
  }
  return covariance / variance;
}
