import { seededRandom } from '@fdistill/testing';
import { describe, expect, it } from 'vitest';
import referenceVariances from '../fixtures/normalized-variance.json' with { type: 'json' };
import { alphaDivergence } from './alpha-divergence.js';
import { divergenceTable, formatDivergenceTable } from './divergence-table.js';
import { estimateDivergence } from './estimate-divergence.js';
import { normalizedVariance } from './normalized-variance.js';
import { getDivergence, listDivergences } from './registry.js';

const distances = [0.5, 1, 2, 3];

describe('normalizedVariance', () => {
  it('matches the closed forms for two unit Gaussians at distance m', () => {
    const closedForms: Record<string, (m: number) => number> = {
      'reverse-kl': () => 0,
      'forward-kl': (m) => Math.expm1(m * m),
      jeffreys: (m) => Math.expm1(m * m) / 4,
      'squared-hellinger': (m) => Math.expm1((m * m) / 4),
      // h = 2 r^2: E_q r^4 / (E_q r^2)^2 = e^{6 m^2} / e^{2 m^2}.
      pearson: (m) => Math.expm1(4 * m * m),
      // h = 2 / r: E_q r^-2 / (E_q r^-1)^2 = e^{3 m^2} / e^{2 m^2}.
      neyman: (m) => Math.expm1(m * m),
    };
    for (const [name, closedForm] of Object.entries(closedForms)) {
      for (const m of distances) {
        const expected = closedForm(m);
        const actual = normalizedVariance(getDivergence(name as never), m);
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-10 * Math.max(1, expected));
      }
    }
  });

  it("matches scipy's adaptive quadrature where there is no closed form", () => {
    const divergences = {
      'softened-rkl': getDivergence('softened-rkl'),
      js: getDivergence('js'),
      'squared-hellinger': getDivergence('squared-hellinger'),
      'alpha(0.3)': alphaDivergence(0.3),
    };
    for (const [name, divergence] of Object.entries(divergences)) {
      const reference = referenceVariances[name as keyof typeof referenceVariances];
      for (const m of distances) {
        const expected = reference[m.toFixed(1) as keyof typeof reference];
        expect(normalizedVariance(divergence, m) / expected - 1).toBeLessThan(1e-9);
        expect(normalizedVariance(divergence, m) / expected - 1).toBeGreaterThan(-1e-9);
      }
    }
  });

  it('is symmetric in the sign of m for forward-KL and rejects distances it cannot integrate', () => {
    const forwardKl = getDivergence('forward-kl');
    expect(normalizedVariance(forwardKl, -2)).toBeCloseTo(normalizedVariance(forwardKl, 2), 9);
    expect(() => normalizedVariance(forwardKl, 11)).toThrow(
      'meanDistance must be in [-10, 10], got 11',
    );
    expect(() => normalizedVariance({} as never, 1)).toThrow('divergence must be a Divergence');
  });
});

const logNormal = (mean: number, std: number) => (x: number) =>
  -0.5 * Math.log(2 * Math.PI * std * std) - ((x - mean) * (x - mean)) / (2 * std * std);

describe('estimateDivergence', () => {
  // p = N(0.7, 0.8^2), q = N(0, 1); samples from q.
  const normal = seededRandom(7).normal;
  const samples = Array.from({ length: 200_000 }, normal);
  const logP = samples.map(logNormal(0.7, 0.8));
  const logQ = samples.map(logNormal(0, 1));
  const klPQ = Math.log(1 / 0.8) + (0.8 ** 2 + 0.7 ** 2) / 2 - 0.5;
  const klQP = Math.log(0.8) + (1 + 0.7 ** 2) / (2 * 0.8 ** 2) - 0.5;

  it('estimates KL(p || q) with forward-KL and KL(q || p) with reverse-KL, within 4 standard errors', () => {
    const forward = estimateDivergence(getDivergence('forward-kl'), { logP, logQ });
    const reverse = estimateDivergence(getDivergence('reverse-kl'), { logP, logQ });
    expect(Math.abs(forward.estimate - klPQ)).toBeLessThan(4 * forward.standardError);
    expect(Math.abs(reverse.estimate - klQP)).toBeLessThan(4 * reverse.standardError);
    expect(forward.standardError).toBeLessThan(0.01);
    expect(forward.count).toBe(samples.length);
  });

  it('gives 0 for identical densities and rejects mismatched inputs', () => {
    expect(estimateDivergence(getDivergence('js'), { logP: logQ, logQ }).estimate).toBe(0);
    expect(() => estimateDivergence(getDivergence('js'), { logP: [0, 1], logQ: [0] })).toThrow(
      'must have the same length >= 2, got 2 and 1',
    );
  });
});

describe('divergenceTable', () => {
  it('has a row per named divergence whose numbers come from the divergences', () => {
    const rows = divergenceTable();
    expect(rows.map((row) => row.name)).toEqual(
      listDivergences().map((divergence) => divergence.name),
    );
    const forwardKl = rows.find((row) => row.name === 'forward-kl');
    expect(forwardKl?.weights).toEqual([0.1, 0.5, 1, 2, 10]);
    expect(forwardKl?.normalizedVariance.atDistance2).toBeCloseTo(Math.expm1(4), 8);
    const text = formatDivergenceTable(rows);
    expect(text.split('\n')).toHaveLength(rows.length + 2);
    expect(text).toContain('Jensen-Shannon');
  });
});
