import type { OnnxGraphBuilder } from './onnx-graph-builder.js';

/**
 * The noise level of an exported denoiser: a graph input with one sigma per sample (a teacher),
 * or one number fixed at export (a one-step student).
 */
export type OnnxNoiseLevel = { sigmaInput: string } | { fixedSigma: number };

/** Builds the raw network F on `c_in x` and `c_noise` ([batch], or [1] for a fixed sigma). */
export type OnnxRawNetwork = (scaledInput: string, noiseCondition: string) => string;

/**
 * `D(x; sigma) = c_skip x + c_out F(c_in x; c_noise)` in the graph, for `x` of rank `rank`, with
 * the EDM coefficients of `edmCoefficients`: computed in the graph from a sigma input [batch], or,
 * for a fixed sigma, folded into float32 constants exactly as tfjs rounds them. The last node's
 * output is named `outputName`.
 *
 * @example
 * const denoised = edmDenoiserGraph(graph, 'x', 2, { sigmaInput: 'sigma' }, 0.5,
 *   (scaled, noise) => rawNetwork(scaled, noise), 'denoised');
 */
export function edmDenoiserGraph(
  graph: OnnxGraphBuilder,
  x: string,
  rank: number,
  noiseLevel: OnnxNoiseLevel,
  sigmaData: number,
  rawNetwork: OnnxRawNetwork,
  outputName: string,
): string {
  const coefficients =
    'sigmaInput' in noiseLevel
      ? perSampleCoefficients(graph, noiseLevel.sigmaInput, sigmaData, rank)
      : fixedCoefficients(graph, noiseLevel.fixedSigma, sigmaData);
  const raw = rawNetwork(graph.add('Mul', [x, coefficients.input]), coefficients.noise);
  return graph.add(
    'Add',
    [graph.add('Mul', [x, coefficients.skip]), graph.add('Mul', [raw, coefficients.out])],
    {},
    outputName,
  );
}

interface CoefficientNames {
  /** c_skip, c_out, c_in: broadcastable against x. */
  skip: string;
  out: string;
  input: string;
  /** c_noise: [batch] or [1]. */
  noise: string;
}

function perSampleCoefficients(
  graph: OnnxGraphBuilder,
  sigma: string,
  sigmaData: number,
  rank: number,
): CoefficientNames {
  const dataVariance = graph.addFloatConstant(sigmaData * sigmaData);
  const variance = graph.add('Add', [graph.add('Mul', [sigma, sigma]), dataVariance]);
  const root = graph.add('Sqrt', [variance]);
  const perSampleShape = graph.addInt64Constant([-1, ...new Array<number>(rank - 1).fill(1)]);
  const perSample = (values: string) => graph.add('Reshape', [values, perSampleShape]);
  return {
    skip: perSample(graph.add('Div', [dataVariance, variance])),
    out: perSample(
      graph.add('Div', [graph.add('Mul', [sigma, graph.addFloatConstant(sigmaData)]), root]),
    ),
    input: perSample(graph.add('Reciprocal', [root])),
    noise: graph.add('Mul', [graph.add('Log', [sigma]), graph.addFloatConstant(0.25)]),
  };
}

function fixedCoefficients(
  graph: OnnxGraphBuilder,
  sigma: number,
  sigmaData: number,
): CoefficientNames {
  const f = Math.fround;
  const s = f(sigma);
  const dataVariance = f(sigmaData * sigmaData);
  const variance = f(f(s * s) + dataVariance);
  const root = f(Math.sqrt(variance));
  return {
    skip: graph.addFloatConstant(f(dataVariance / variance)),
    out: graph.addFloatConstant(f(f(s * f(sigmaData)) / root)),
    input: graph.addFloatConstant(f(1 / root)),
    noise: graph.addFloatConstant([f(f(Math.log(s)) / 4)], [1]),
  };
}
