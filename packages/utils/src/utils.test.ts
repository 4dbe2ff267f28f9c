import { describe, expect, it } from 'vitest';
import { formatTable } from './format-table.js';
import { seededUniform } from './seeded-uniform.js';
import {
  assertEvenIntegerAtLeast,
  assertFiniteNumber,
  assertIntegerAtLeast,
  assertNonEmptyString,
  assertPositiveNumber,
  describeValue,
} from './validation.js';

describe('argument checks', () => {
  it('name the argument and the value they reject', () => {
    expect(() => assertFiniteNumber('scale', Number.NaN)).toThrow(
      'scale must be a finite number, got NaN',
    );
    expect(() => assertPositiveNumber('rate', 0)).toThrow(
      'rate must be a finite number > 0, got 0',
    );
    expect(() => assertIntegerAtLeast('steps', 1.5, 1)).toThrow(
      'steps must be an integer >= 1, got 1.5',
    );
    expect(() => assertNonEmptyString('path', '')).toThrow(
      'path must be a non-empty string, got ""',
    );
    expect(() => assertIntegerAtLeast('steps', 2, 1)).not.toThrow();
    expect(() => assertEvenIntegerAtLeast('size', 15, 2)).toThrow('size must be even, got 15');
    expect(() => assertEvenIntegerAtLeast('size', 0, 2)).toThrow(
      'size must be an integer >= 2, got 0',
    );
    expect(() => assertEvenIntegerAtLeast('size', 16, 2)).not.toThrow();
  });

  it('describe values briefly', () => {
    expect(describeValue([1, 2])).toBe('an array of length 2');
    expect(describeValue(new Float32Array(3))).toBe('a Float32Array');
    expect(describeValue({})).toBe('object');
  });
});

describe('formatTable', () => {
  it('pads columns to their widest cell under a dashed rule', () => {
    expect(formatTable(['f', 'h(1)'], [['js', '0.25']])).toBe('f   h(1)\n--  ----\njs  0.25');
  });
});

describe('seededUniform', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const [first, second] = [seededUniform(7), seededUniform(7)];
    const values = Array.from({ length: 1000 }, () => first());
    expect(values).toEqual(Array.from({ length: 1000 }, () => second()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(seededUniform(0)()).toBeCloseTo(0.2664, 4);
  });
});
