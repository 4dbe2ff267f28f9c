import { describe, expect, it } from 'vitest';
import { classDistribution } from './class-distribution.js';
import { domainMetrics } from './domain-metrics.js';
import { frechetDistance } from './frechet-distance.js';
import { precisionRecall } from './precision-recall.js';

/** Logits that put sample i in class `classes[i]`. */
function oneHotLogits(classes: readonly number[], count: number): number[][] {
  return classes.map((label) => Array.from({ length: count }, (_, k) => (k === label ? 5 : -1)));
}

/** A deterministic pseudo-random normal matrix (Box-Muller on a linear congruential stream). */
function normalRows(rows: number, columns: number, seed: number, shift = 0): number[][] {
  let state = seed;
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state + 1) / 2147483649;
  };
  return Array.from({ length: rows }, () =>
    Array.from(
      { length: columns },
      () => shift + Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
    ),
  );
}

describe('classDistribution', () => {
  it('is uniform with KL 0 when every class gets the same share', () => {
    const result = classDistribution(oneHotLogits([0, 1, 2, 3, 0, 1, 2, 3], 4));
    expect(result.counts).toEqual([2, 2, 2, 2]);
    expect(result.klToUniform).toBe(0);
    expect(result.classesCovered).toBe(4);
    expect(result.maxShare).toBe(0.25);
    expect(result.labelAccuracy).toBeUndefined();
  });

  it('gives ln K when one class takes every sample, and counts only that class as covered', () => {
    const result = classDistribution(oneHotLogits([2, 2, 2], 10));
    expect(result.klToUniform).toBeCloseTo(Math.log(10), 12);
    expect(result.classesCovered).toBe(1);
    expect(result.minShare).toBe(0);
  });

  it('computes KL for an uneven histogram and the share classified as requested', () => {
    const result = classDistribution(oneHotLogits([0, 0, 0, 1], 2), {
      requestedLabels: [0, 1, 0, 1],
    });
    expect(result.klToUniform).toBeCloseTo(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), 12);
    expect(result.labelAccuracy).toBe(0.75);
  });

  it('names the argument on bad labels', () => {
    expect(() => classDistribution(oneHotLogits([0, 1], 2), { requestedLabels: [0] })).toThrow(
      'options.requestedLabels must hold one label per sample (2), got 1',
    );
    expect(() => classDistribution(oneHotLogits([0, 1], 2), { requestedLabels: [0, 2] })).toThrow(
      'options.requestedLabels[1] must be an integer in [0, 1], got 2',
    );
  });
});

describe('domainMetrics', () => {
  it('equals the Frechet distance and precision/recall computed separately', () => {
    const reference = normalRows(300, 4, 7);
    const generated = normalRows(100, 4, 11, 0.5);
    const logits = oneHotLogits(
      generated.map((_, index) => index % 3),
      3,
    );
    const result = domainMetrics({
      generatedFeatures: generated,
      generatedLogits: logits,
      referenceFeatures: reference,
      requestedLabels: generated.map((_, index) => index % 3),
    });
    expect(result.domainFid).toBeCloseTo(frechetDistance(generated, reference), 10);
    const expected = precisionRecall(reference.slice(0, 100), generated);
    expect(result.precision).toBe(expected.precision);
    expect(result.recall).toBe(expected.recall);
    expect(result.classes.labelAccuracy).toBe(1);
    expect(result.domainFid).toBeGreaterThan(0.5);
  });
});
