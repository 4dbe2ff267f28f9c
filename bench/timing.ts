/**
 * The median time of `run` in milliseconds, after `warmup` untimed runs (XNNPACK operator
 * creation, V8 compilation).
 *
 * @example const ms = await medianMs(async () => tf.dispose(tf.matMul(a, b)), 2, 7);
 */
export async function medianMs(
  run: () => Promise<unknown>,
  warmup: number,
  iterations: number,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * The median of `values` (the upper one of an even count).
 *
 * @example median([3, 1, 2]); // 2
 */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}
