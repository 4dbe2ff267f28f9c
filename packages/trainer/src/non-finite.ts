/** What to do when a loss becomes NaN or infinite. */
export type NonFiniteAction = 'stop' | 'rollback';

/** Raised when a loss becomes NaN or infinite; names the step and the quantity. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly quantity: string,
    readonly value: number,
  ) {
    super(`step ${step}: ${quantity} is ${value} (training diverged)`);
    this.name = 'NonFiniteLossError';
  }
}

/**
 * Throws a `NonFiniteLossError` for the first value that is NaN or infinite.
 *
 * @example checkFinite(12, { 'generator loss': 0.4, 'gradient norm': Number.NaN }); // throws
 */
export function checkFinite(step: number, values: Record<string, number>): void {
  for (const [quantity, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new NonFiniteLossError(step, quantity, value);
  }
}
