import { describe, expect, it } from 'vitest';
import { regularizedIncompleteBeta, twoSidedStudentP } from './student-t.js';

describe('regularizedIncompleteBeta', () => {
  it('equals scipy.special.betainc(a, b, x)', () => {
    // scipy 1.10: betainc(2, 3, 0.3) = 0.3483, betainc(0.5, 0.5, 0.9) = 0.7951672353008662,
    // betainc(10, 0.5, 0.999) = 0.8888967091248603, betainc(2.5, 0.5, 0.01) = 3.4075027649461733e-06
    expect(regularizedIncompleteBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 12);
    expect(regularizedIncompleteBeta(0.9, 0.5, 0.5)).toBeCloseTo(0.7951672353008662, 12);
    expect(regularizedIncompleteBeta(0.999, 10, 0.5)).toBeCloseTo(0.8888967091248603, 12);
    expect(regularizedIncompleteBeta(0.01, 2.5, 0.5) / 3.4075027649461733e-6).toBeCloseTo(1, 10);
  });

  it('is 0 at 0, 1 at 1 and symmetric: I_x(a, b) = 1 - I_(1-x)(b, a)', () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(regularizedIncompleteBeta(0.37, 1.5, 4)).toBeCloseTo(
      1 - regularizedIncompleteBeta(0.63, 4, 1.5),
      13,
    );
  });
});

describe('twoSidedStudentP', () => {
  it('equals 2 * scipy.stats.t.sf(|t|, df), integer and fractional degrees of freedom', () => {
    const cases: [number, number, number][] = [
      [2.0, 2, 0.1835034190722739],
      [0.5, 4, 0.6433299631818633],
      [-3.1, 2, 0.0902007301301887],
      [10, 3, 0.0021283990584141494],
      [1.2, 1.5, 0.38596492611371647],
      [2.5, 30, 0.018115649068066706],
      [40, 2, 0.0006244146721847406],
      [2.776445105, 4, 0.05000000001011946],
    ];
    for (const [t, degreesOfFreedom, expected] of cases) {
      expect(twoSidedStudentP(t, degreesOfFreedom) / expected).toBeCloseTo(1, 10);
    }
    expect(twoSidedStudentP(0, 5)).toBe(1);
  });

  it('is 0 for an infinite t and NaN for NaN t or degrees of freedom that are not positive', () => {
    expect(twoSidedStudentP(Number.NEGATIVE_INFINITY, 3)).toBe(0);
    expect(twoSidedStudentP(Number.NaN, 3)).toBeNaN();
    expect(twoSidedStudentP(1, 0)).toBeNaN();
    expect(twoSidedStudentP(1, Number.NaN)).toBeNaN();
  });
});
