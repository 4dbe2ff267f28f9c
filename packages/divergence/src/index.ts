export { alphaDivergence } from './alpha-divergence.js';
export {
  type DivergenceDefinition,
  defineDivergence,
  TENSOR_RATIO_RANGE,
} from './define-divergence.js';
export {
  DEFAULT_DENSITY_RATIO_OPTIONS,
  type DensityRatioOptions,
  densityRatioFromLogits,
} from './density-ratio.js';
export type { Divergence, ModeSeeking, TailWeights, WeightingExponents } from './divergence.js';
export { divergenceFromWeighting, type WeightingOptions } from './divergence-from-weighting.js';
export {
  type DivergenceTableRow,
  divergenceTable,
  formatDivergenceTable,
  TABLE_RATIOS,
} from './divergence-table.js';
export {
  type DivergenceEstimate,
  estimateDivergence,
  type LogDensitySamples,
} from './estimate-divergence.js';
export { normalizeWeights, WEIGHT_NORMALIZATION_EPSILON } from './normalize-weights.js';
export { MAX_MEAN_DISTANCE, normalizedVariance } from './normalized-variance.js';
export { parseDivergence } from './parse-divergence.js';
export {
  type GaussLegendreRule,
  gaussLegendreRule,
  integrateAdaptive,
  integratePanel,
} from './quadrature.js';
export {
  type RatioBinSpacing,
  RatioNormalizer,
  type RatioNormalizerOptions,
  type RatioNormalizerState,
} from './ratio-normalizer.js';
export {
  DIVERGENCE_NAMES,
  type DivergenceName,
  getDivergence,
  listDivergences,
} from './registry.js';
export { stopGradient } from './stop-gradient.js';
export {
  classifyModeSeeking,
  classifySaturation,
  estimateWeightingExponents,
  tailWeightsFromExponents,
} from './tails.js';
