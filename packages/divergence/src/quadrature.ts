/** Nodes and weights of an n-point Gauss-Legendre rule on [-1, 1]. */
export interface GaussLegendreRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * Computes the n-point Gauss-Legendre rule by Newton iteration on the Legendre polynomial
 * P_n (exact for polynomials of degree 2n - 1).
 */
export function gaussLegendreRule(pointCount: number): GaussLegendreRule {
  const nodes = new Float64Array(pointCount);
  const weights = new Float64Array(pointCount);
  for (let i = 0; i < Math.ceil(pointCount / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (pointCount + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let current = 1;
      let previous = 0;
      for (let degree = 1; degree <= pointCount; degree++) {
        const older = previous;
        previous = current;
        current = ((2 * degree - 1) * x * previous - (degree - 1) * older) / degree;
      }
      derivative = (pointCount * (x * current - previous)) / (x * x - 1);
      const step = current / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = -x;
    nodes[pointCount - 1 - i] = x;
    const weight = 2 / ((1 - x * x) * derivative * derivative);
    weights[i] = weight;
    weights[pointCount - 1 - i] = weight;
  }
  return { nodes, weights };
}

const rule = gaussLegendreRule(20);

/** Integrates `integrand` over [a, b] with one 20-point Gauss-Legendre panel. */
export function integratePanel(integrand: (x: number) => number, a: number, b: number): number {
  const half = (b - a) / 2;
  const middle = (a + b) / 2;
  let sum = 0;
  for (let i = 0; i < rule.nodes.length; i++) {
    sum += (rule.weights[i] as number) * integrand(middle + half * (rule.nodes[i] as number));
  }
  return sum * half;
}

/**
 * Adaptive Gauss-Legendre quadrature: a panel is split in two until the halves agree with it
 * to `tolerance * max(1, |integral|)`. Handles b < a (the integral changes sign).
 */
export function integrateAdaptive(
  integrand: (x: number) => number,
  a: number,
  b: number,
  tolerance = 1e-13,
): number {
  if (a === b) return 0;
  const whole = integratePanel(integrand, a, b);
  return refine(integrand, a, b, whole, tolerance, 0);
}

function refine(
  integrand: (x: number) => number,
  a: number,
  b: number,
  whole: number,
  tolerance: number,
  depth: number,
): number {
  const middle = (a + b) / 2;
  const left = integratePanel(integrand, a, middle);
  const right = integratePanel(integrand, middle, b);
  const sum = left + right;
  if (depth >= 40 || Math.abs(sum - whole) <= tolerance * Math.max(1, Math.abs(sum))) return sum;
  return (
    refine(integrand, a, middle, left, tolerance, depth + 1) +
    refine(integrand, middle, b, right, tolerance, depth + 1)
  );
}
