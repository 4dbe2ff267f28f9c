import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { alphaDivergence } from './alpha-divergence.js';
import type { Divergence } from './divergence.js';
import { divergenceFromWeighting } from './divergence-from-weighting.js';
import { DIVERGENCE_NAMES, getDivergence, listDivergences } from './registry.js';
import { estimateWeightingExponents } from './tails.js';

const grid = [1e-3, 0.01, 0.1, 0.3, 0.7, 0.99, 1, 1.01, 1.5, 2, 5, 10, 100, 1e3];

/** Paper Table 1 (plus Pearson and Neyman chi-squared, in closed form): h in closed form and the classes. */
const table1: Record<
  string,
  { h: (r: number) => number; modeSeeking: string; saturates: boolean }
> = {
  'reverse-kl': { h: () => 1, modeSeeking: 'yes', saturates: false },
  'softened-rkl': { h: (r) => 1 / (r + 1), modeSeeking: 'yes', saturates: false },
  js: { h: (r) => r / (r + 1), modeSeeking: 'medium', saturates: true },
  'squared-hellinger': { h: (r) => Math.sqrt(r) / 4, modeSeeking: 'medium', saturates: true },
  'forward-kl': { h: (r) => r, modeSeeking: 'no', saturates: false },
  jeffreys: { h: (r) => r + 1, modeSeeking: 'no', saturates: false },
  pearson: { h: (r) => 2 * r * r, modeSeeking: 'no', saturates: false },
  neyman: { h: (r) => 2 / r, modeSeeking: 'yes', saturates: false },
};

/** Paper Table 6: exponents of f'' as r -> inf (right) and r -> 0 (left). */
const table6: Record<string, { right: number; left: number }> = {
  'reverse-kl': { right: -2, left: -2 },
  'softened-rkl': { right: -3, left: -2 },
  js: { right: -2, left: -1 },
  'squared-hellinger': { right: -1.5, left: -1.5 },
  'forward-kl': { right: -1, left: -1 },
  jeffreys: { right: -1, left: -2 },
};

const alphas = [-1, 0, 0.3, 0.5, 1, 2];
const everyDivergence: Divergence[] = [
  ...listDivergences(),
  ...alphas.map(alphaDivergence),
  divergenceFromWeighting((r) => Math.log1p(r), { name: 'log1p' }),
];

/** Central finite difference with a step relative to r. */
function derivative(fn: (r: number) => number, r: number): number {
  const step = 1e-5 * r;
  return (fn(r + step) - fn(r - step)) / (2 * step);
}

function expectClose(actual: number, expected: number, relative: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
    relative * Math.max(1, Math.abs(expected)),
  );
}

describe.each(everyDivergence.map((divergence) => [divergence.name, divergence] as const))(
  '%s',
  (_name, divergence) => {
    it('has f(1) = 0', () => {
      expect(Math.abs(divergence.f(1))).toBeLessThan(1e-15);
    });

    it("has f' and f'' equal to finite differences of f and f'", () => {
      for (const r of grid) {
        expectClose(divergence.fPrime(r), derivative(divergence.f, r), 1e-6);
        expectClose(divergence.fSecond(r), derivative(divergence.fPrime, r), 1e-6);
      }
    });

    it("has h(r) = f''(r) r^2", () => {
      for (const r of grid) expectClose(divergence.h(r), divergence.fSecond(r) * r * r, 1e-12);
    });

    it("is convex on a grid: positive f'' and non-negative second differences of f", () => {
      const points = Array.from({ length: 200 }, (_, i) => 10 ** (-3 + (6 * i) / 199));
      for (let i = 1; i < points.length - 1; i++) {
        const [left, middle, right] = [points[i - 1], points[i], points[i + 1]] as [
          number,
          number,
          number,
        ];
        expect(divergence.fSecond(middle)).toBeGreaterThan(0);
        // f lies below its chord between the neighbours.
        const chord =
          divergence.f(left) +
          ((divergence.f(right) - divergence.f(left)) * (middle - left)) / (right - left);
        expect(divergence.f(middle)).toBeLessThanOrEqual(chord + 1e-12 * Math.abs(chord));
      }
    });

    it('declares weighting exponents that match log-log slopes of h', () => {
      const estimated = estimateWeightingExponents(divergence.h);
      expect(estimated.atZero).toBeCloseTo(divergence.weightingExponents.atZero, 3);
      expect(estimated.atInfinity).toBeCloseTo(divergence.weightingExponents.atInfinity, 3);
    });

    it('is mode seeking exactly when f(r)/r converges as r grows', () => {
      // f'(r) -> f'(inf) is finite iff lim f(r)/r is; the increments of f' over decades tell.
      const late = divergence.fPrime(1e12) - divergence.fPrime(1e9);
      const early = divergence.fPrime(1e6) - divergence.fPrime(1e3);
      const converges = Math.abs(late) < 0.2 * Math.abs(early) + 1e-9;
      expect(converges).toBe(divergence.modeSeeking !== 'no');
    });

    it('computes hTensor like h, finite at extreme ratios', () => {
      const ratios = [0, 1e-30, 1e-12, ...grid, 1e12, 1e30, Number.POSITIVE_INFINITY];
      const before = tf.memory().numTensors;
      const input = tf.tensor1d(ratios);
      const output = divergence.hTensor(input);
      const values = Array.from(output.dataSync());
      tf.dispose([input, output]);
      expect(tf.memory().numTensors).toBe(before);
      for (const [i, r] of ratios.entries()) {
        const clamped = Math.min(Math.max(r, 1e-12), 1e12);
        expect(Number.isFinite(values[i])).toBe(true);
        expectClose(values[i] as number, divergence.h(clamped), 1e-5);
      }
    });

    it('rejects ratios outside (0, inf) with a message naming r', () => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => divergence.h(bad)).toThrow(/r must be a finite number > 0/);
        expect(() => divergence.f(bad)).toThrow(`${divergence.name}.f(r)`);
      }
    });
  },
);

describe('named divergences', () => {
  it('match paper Table 1: h, mode seeking and saturation', () => {
    for (const name of DIVERGENCE_NAMES) {
      const divergence = getDivergence(name);
      const expected = table1[name];
      if (!expected) throw new Error(`no table entry for ${name}`);
      for (const r of grid) expectClose(divergence.h(r), expected.h(r), 1e-14);
      expect(divergence.modeSeeking).toBe(expected.modeSeeking);
      expect(divergence.saturates).toBe(expected.saturates);
    }
  });

  it('match paper Table 6 tail weights', () => {
    for (const [name, expected] of Object.entries(table6)) {
      expect(getDivergence(name as never).tailWeights).toEqual(expected);
    }
  });

  it('match the closed-form f (paper Table 1) at sample points', () => {
    const r = 3;
    expectClose(getDivergence('softened-rkl').f(r), (r + 1) * Math.log((r + 1) / (2 * r)), 1e-14);
    expectClose(getDivergence('js').f(r), r * Math.log(r) - (r + 1) * Math.log((r + 1) / 2), 1e-14);
    expectClose(getDivergence('jeffreys').f(r), (r - 1) * Math.log(r), 1e-14);
    expectClose(getDivergence('neyman').f(r), (1 - r) ** 2 / r, 1e-14);
  });

  it('lists every name once, and an unknown name lists the valid ones', () => {
    expect(listDivergences().map((divergence) => divergence.name)).toEqual([...DIVERGENCE_NAMES]);
    expect(() => getDivergence('kl' as never)).toThrow(
      'unknown divergence "kl"; expected one of: reverse-kl, softened-rkl, js, squared-hellinger, forward-kl, jeffreys, pearson, neyman',
    );
  });
});

describe('alphaDivergence', () => {
  it('is 2 (sqrt(r) - 1)^2 at a = 1/2 and tends to its limits at a = 0 and 1', () => {
    const half = alphaDivergence(0.5);
    for (const r of grid) {
      expectClose(half.f(r), 2 * (Math.sqrt(r) - 1) ** 2, 1e-12);
      expectClose(alphaDivergence(1e-7).f(r), alphaDivergence(0).f(r), 1e-5);
      expectClose(alphaDivergence(1 - 1e-7).f(r), alphaDivergence(1).f(r), 1e-5);
    }
  });

  it('dials from mode seeking to mode covering', () => {
    expect(alphas.map((alpha) => alphaDivergence(alpha).modeSeeking)).toEqual([
      'yes',
      'yes',
      'medium',
      'medium',
      'no',
      'no',
    ]);
  });

  it('rejects a non-finite alpha', () => {
    expect(() => alphaDivergence(Number.NaN)).toThrow('alpha must be a finite number');
  });
});

describe('divergenceFromWeighting (Proposition 1)', () => {
  it("rebuilds every named f from its h, up to the linear term f'(1) (r - 1)", () => {
    for (const named of listDivergences()) {
      const rebuilt = divergenceFromWeighting(named.h, { name: `${named.name}-rebuilt` });
      const slope = named.fPrime(1);
      for (const r of [1e-3, 0.05, 0.5, 0.9, 1.2, 3, 40, 1e3]) {
        const expected = named.f(r) - slope * (r - 1);
        expectClose(rebuilt.f(r), expected, 1e-10);
        expectClose(rebuilt.fPrime(r), named.fPrime(r) - slope, 1e-10);
      }
      expect(rebuilt.modeSeeking).toBe(named.modeSeeking);
      expect(rebuilt.tailWeights).toEqual(named.tailWeights);
    }
  });

  it('computes hTensor by reading back when no tensor weighting is given', () => {
    const custom = divergenceFromWeighting((r) => Math.log1p(r));
    const output = custom.hTensor(tf.tensor1d([1, 3]));
    expect(Array.from(output.dataSync())).toEqual([
      Math.fround(Math.log(2)),
      Math.fround(Math.log(4)),
    ]);
    expect(custom.name).toBe('custom');
  });

  it('rejects a weighting that is negative or not finite, naming the point', () => {
    expect(() => divergenceFromWeighting((r) => r - 1)).toThrow('h(0.000001) = -0.999999');
    expect(() => divergenceFromWeighting((r) => 1 / Math.abs(r - 1))).toThrow('h(1) = Infinity');
    expect(() => divergenceFromWeighting('r' as never)).toThrow('h must be a function');
  });
});
