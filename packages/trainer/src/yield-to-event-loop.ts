/**
 * Lets timers and signal handlers (Ctrl-C) run between the steps of a long loop: `setImmediate`
 * in Node, `setTimeout` elsewhere. Awaiting a tensor's `data()` alone does not, on CPU backends.
 *
 * @example for (let step = 0; step < steps && !signal?.aborted; step++) { train(); await yieldToEventLoop(); }
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    typeof globalThis.setImmediate === 'function'
      ? globalThis.setImmediate(resolve)
      : setTimeout(resolve, 0),
  );
}
