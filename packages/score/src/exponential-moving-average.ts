import { assertFiniteNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module.js';

/**
 * One EMA step over every parameter: `average = decay * average + (1 - decay) * source`.
 * `average` and `source` are modules of the same architecture (e.g. the generator and its EMA).
 *
 * @example
 * const ema = createStudent(); ema.copyParametersFrom(student);
 * // after each generator step:
 * updateExponentialMovingAverage(ema, student, 0.999);
 */
export function updateExponentialMovingAverage(
  average: Module,
  source: Module,
  decay: number,
): void {
  assertFiniteNumber('updateExponentialMovingAverage: decay', decay);
  if (decay < 0 || decay > 1) {
    throw new RangeError(`updateExponentialMovingAverage: decay must be in [0, 1], got ${decay}`);
  }
  const sourceParameters = source.stateDict();
  const averaged = average.namedParameters();
  for (const [name, variable] of averaged) {
    const value = sourceParameters.get(name);
    if (value === undefined || !sameShape(value.shape, variable.shape)) {
      throw new Error(
        `updateExponentialMovingAverage: source has no parameter "${name}" of shape [${variable.shape}]`,
      );
    }
  }
  tf.tidy(() => {
    for (const [name, variable] of averaged) {
      const value = sourceParameters.get(name) as tf.Variable;
      variable.assign(tf.add(tf.mul(variable, decay), tf.mul(value, 1 - decay)));
    }
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
