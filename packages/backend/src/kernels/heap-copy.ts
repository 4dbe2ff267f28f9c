/** Runs at least this long are copied by `copyWithin` (a native memmove); shorter by a loop. */
export const NATIVE_COPY_LENGTH = 48;

/** Copies `count` floats inside the heap (the ranges do not overlap). */
export function copyRun(heap: Float32Array, target: number, source: number, count: number): void {
  if (count >= NATIVE_COPY_LENGTH) {
    heap.copyWithin(target, source, source + count);
    return;
  }
  for (let i = 0; i < count; i++) heap[target + i] = heap[source + i] as number;
}

/** The product of `values` (1 for none): a shape's element count. */
export function product(values: readonly number[]): number {
  return values.reduce((total, value) => total * value, 1);
}
