import { describe, expect, it } from 'vitest';
import { deriveSeed, mixSeedBits } from './derive-seed.js';

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

describe('mixSeedBits', () => {
  it('is MurmurHash3 fmix32 (reference values computed in Python)', () => {
    expect(mixSeedBits(0)).toBe(0);
    expect(mixSeedBits(1)).toBe(0x514e28b7);
    expect(mixSeedBits(0x9e3779b9)).toBe(0x92ca2f0e);
    expect(mixSeedBits(0xffffffff)).toBe(0x81f16f39);
  });
});
