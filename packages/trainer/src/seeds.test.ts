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
});
