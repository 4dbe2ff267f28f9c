import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseDivergence } from './parse-divergence.js';
import { DIVERGENCE_NAMES, getDivergence } from './registry.js';

describe('parseDivergence', () => {
  it('returns the named divergences and the alpha family', () => {
    for (const name of DIVERGENCE_NAMES) expect(parseDivergence(name)).toBe(getDivergence(name));
    expect(parseDivergence('alpha:0.5').h(4)).toBeCloseTo(2, 12);
    expect(parseDivergence('alpha:-1').h(2)).toBeCloseTo(0.5, 12);
    expect(parseDivergence('alpha:1e-1').h(10)).toBeCloseTo(10 ** 0.1, 12);
    expect(parseDivergence('alpha:2').name).toBe('alpha(2)');
  });

  it('names what it accepts for anything else', () => {
    for (const bad of ['kl', 'alpha:', 'alpha:x', 'alpha:1.2.3', 'alpha:NaN', 'JS']) {
      expect(() => parseDivergence(bad)).toThrow(
        /parseDivergence\(text\): unknown divergence .*; expected one of reverse-kl, .* or alpha:<a>/,
      );
    }
    expect(() => parseDivergence(3 as unknown as string)).toThrow('unknown divergence 3');
  });
});
