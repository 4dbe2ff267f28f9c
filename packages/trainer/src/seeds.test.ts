import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { stepSeed } from './seeds.js';

describe('stepSeed', () => {
  it('is a fixed function of seed, step and stream, different across each', () => {
    expect(stepSeed(3, 10, 'latent')).toBe(stepSeed(3, 10, 'latent'));
    const seeds = new Set([
      stepSeed(3, 10, 'latent'),
      stepSeed(4, 10, 'latent'),
      stepSeed(3, 11, 'latent'),
      stepSeed(3, 10, 'real-data'),
    ]);
    expect(seeds.size).toBe(4);
    expect(() => stepSeed(-1, 0, 'latent')).toThrow('runSeed must be an integer >= 0');
  });

  it('equals an independent Python implementation (SplitMix32 rounds of MurmurHash3 fmix32)', () => {
    // Values from a 10-line Python reimplementation, so a change of hash (which would change
    // every random draw of every run, and break resuming old runs) cannot pass unnoticed.
    expect(stepSeed(0, 0, 'latent')).toBe(1941214315);
    expect(stepSeed(3, 99, 'labels')).toBe(1521508298);
    expect(stepSeed(2 ** 31 + 7, 2 ** 33 + 5, 'warm-start-batch')).toBe(1938874373);
  });
});
