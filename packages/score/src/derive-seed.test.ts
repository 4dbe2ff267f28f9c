import { describe, expect, it } from 'vitest';
import { deriveSeed } from './derive-seed.js';

describe('deriveSeed', () => {
  it('is deterministic, a non-negative 31-bit integer, and distinct across seeds and streams', () => {
    expect(deriveSeed(5, 1)).toBe(deriveSeed(5, 1));
    const seen = new Set<number>();
    for (const seed of [0, 1, 2, -1, 2 ** 40, 123456789]) {
      for (let stream = 0; stream < 50; stream++) {
        const value = deriveSeed(seed, stream);
        expect(Number.isInteger(value) && value >= 0 && value < 2 ** 31).toBe(true);
        seen.add(value);
      }
    }
    expect(seen.size).toBe(300);
    expect(() => deriveSeed(0.5, 1)).toThrow('deriveSeed: seed must be an integer seed, got 0.5');
    expect(() => deriveSeed(1, -1)).toThrow('deriveSeed: stream must be an integer >= 0');
  });
});
