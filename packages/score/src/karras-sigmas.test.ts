import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { karrasSigmas, karrasTimeGrid, sampleTrainingSigmas } from './karras-sigmas.js';

describe('karrasSigmas', () => {
  it('is the rho = 7 grid from 80 to 0.002, then 0', () => {
    const sigmas = karrasSigmas(18);
    expect(sigmas).toHaveLength(19);
    expect(sigmas[0]).toBe(80);
    expect(sigmas[17]).toBe(0.002);
    expect(sigmas[18]).toBe(0);
    for (const i of [1, 5, 16]) {
      const expected = (80 ** (1 / 7) + (i / 17) * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7;
      expect(sigmas[i]).toBeCloseTo(expected, 12);
    }
    for (let i = 0; i < 18; i++)
      expect(sigmas[i] as number).toBeGreaterThan(sigmas[i + 1] as number);
    expect(karrasSigmas(1)).toEqual([80, 0]);
    expect(karrasSigmas(3, { sigmaMin: 0.01, sigmaMax: 10, rho: 1 })).toEqual([10, 5.005, 0.01, 0]);
    expect(() => karrasSigmas(0)).toThrow('karrasSigmas: steps must be an integer >= 1, got 0');
    expect(() => karrasSigmas(5, { rho: -1 })).toThrow('options.rho must be a finite number > 0');
  });
});

describe('karrasTimeGrid and sampleTrainingSigmas', () => {
  it('has 1000 points from 80 down to 0.002', () => {
    const grid = karrasTimeGrid(1000);
    expect(grid).toHaveLength(1000);
    expect(grid[0]).toBe(80);
    expect(grid[999]).toBe(0.002);
    expect(grid[500]).toBeCloseTo(
      (80 ** (1 / 7) + (500 / 999) * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7,
      12,
    );
  });

  it('draws grid points with an index uniform over 2 .. 998, seeded', () => {
    const grid = karrasTimeGrid(1000);
    const count = 20000;
    const sigma = sampleTrainingSigmas(count, 4);
    const again = sampleTrainingSigmas(count, 4);
    expect(Array.from(again.dataSync())).toEqual(Array.from(sigma.dataSync()));
    const float32Grid = Array.from(tf.tidy(() => tf.tensor1d(grid).dataSync()));
    const index = new Map(float32Grid.map((value, i) => [value, i]));
    const histogram = new Array<number>(1000).fill(0);
    for (const value of sigma.dataSync()) {
      const i = index.get(value);
      expect(i).toBeDefined();
      histogram[i as number] = (histogram[i as number] as number) + 1;
    }
    expect(histogram[0]).toBe(0);
    expect(histogram[1]).toBe(0);
    expect(histogram[999]).toBe(0);
    expect(histogram[2]).toBeGreaterThan(0);
    expect(histogram[998]).toBeGreaterThan(0);
    // Uniform over 997 indices: the share below index 500 is 498 / 997, standard error
    // sqrt(p (1 - p) / n) = 0.0035; bound 4 standard errors.
    const below = histogram.slice(0, 500).reduce((a, b) => a + b, 0) / count;
    expect(Math.abs(below - 498 / 997)).toBeLessThan(0.014);
    tf.dispose([sigma, again]);
    expect(() => sampleTrainingSigmas(4, 1, { maxIndex: 1000 })).toThrow(
      'options.maxIndex must be <= count - 1 (999)',
    );
  });
});
