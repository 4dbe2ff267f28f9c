import * as tf from '@tensorflow/tfjs-core';
import { defineDivergence } from './define-divergence.js';
import type { Divergence } from './divergence.js';
import { integrateAdaptive } from './quadrature.js';
import { estimateWeightingExponents } from './tails.js';

/** Options of `divergenceFromWeighting`. */
export interface WeightingOptions {
  /** Identifier of the divergence; default `'custom'`. */
  name?: string;
  /** Human-readable name; default the name. */
  label?: string;
  /**
   * The same weighting written with tfjs ops, for training. Without it, `hTensor` reads the
   * ratios back to JavaScript, applies `h` and uploads the result (synchronous, slower).
   */
  hTensor?: (r: tf.Tensor) => tf.Tensor;
}

/**
 * Proposition 1: any continuous weighting `h >= 0` on (0, inf) defines an f-divergence through
 * `f'' = h / r^2`, `f(1) = 0`, `f'(1) = 0`. With `u = ln s`, `f'(r) = int_0^{ln r} h(e^u) e^-u du`
 * and `f(r) = int_0^{ln r} (r e^-u - 1) h(e^u) du`, both by adaptive Gauss-Legendre quadrature
 * (relative error about 1e-13). The exponents of h, hence the mode-seeking class, are estimated
 * from log-log slopes.
 *
 * @example
 * const custom = divergenceFromWeighting((r) => Math.log1p(r), { name: 'log1p' });
 * custom.f(1); // 0
 * custom.fSecond(2); // Math.log1p(2) / 4
 */
export function divergenceFromWeighting(
  h: (r: number) => number,
  options: WeightingOptions = {},
): Divergence {
  if (typeof h !== 'function') {
    throw new TypeError(`divergenceFromWeighting(h): h must be a function of r, got ${typeof h}`);
  }
  const name = options.name ?? 'custom';
  for (const r of [1e-6, 0.1, 0.5, 1, 2, 10, 1e6]) {
    const value = h(r);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `divergenceFromWeighting(h): h must be finite and >= 0 on (0, inf); h(${r}) = ${String(value)}`,
      );
    }
  }
  if (options.hTensor !== undefined && typeof options.hTensor !== 'function') {
    throw new TypeError('divergenceFromWeighting: options.hTensor must be a function of a tensor');
  }
  const hTensor =
    options.hTensor ??
    ((r: tf.Tensor) =>
      tf.tensor(
        Float32Array.from(r.dataSync(), (value) => h(value)),
        r.shape,
      ));
  return defineDivergence({
    name,
    label: options.label ?? name,
    f: (r) => integrateAdaptive((u) => (r * Math.exp(-u) - 1) * h(Math.exp(u)), 0, Math.log(r)),
    fPrime: (r) => integrateAdaptive((u) => h(Math.exp(u)) * Math.exp(-u), 0, Math.log(r)),
    fSecond: (r) => h(r) / (r * r),
    h,
    hTensor,
    weightingExponents: estimateWeightingExponents(h),
  });
}
