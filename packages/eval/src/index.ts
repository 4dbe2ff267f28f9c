export type { ArrayInput, ShapedArray, TensorLike } from './array-input.js';
export {
  type BarChartOptions,
  type BarSeries,
  barChartPng,
  barChartSvg,
} from './bar-chart.js';
export { type ClassDistribution, classDistribution } from './class-distribution.js';
export {
  type DensityCoverage,
  type DensityCoverageOptions,
  densityCoverage,
} from './density-coverage.js';
export {
  type DomainMetrics,
  type DomainMetricsInput,
  domainMetrics,
} from './domain-metrics.js';
export { FASHION_MNIST_CLASSES } from './fashion-mnist-classes.js';
export type { FeatureArray, FeatureExtractor } from './feature-extractor.js';
export { type FeatureStats, FeatureStatsAccumulator, featureStats } from './feature-stats.js';
export { featureStatsFromNpz, featureStatsToNpz } from './feature-stats-file.js';
export { frechetDistance, frechetDistanceFromStats } from './frechet-distance.js';
export type { IsotropicGaussianMixture } from './gaussian-mixture.js';
export { createIdentityFeatureExtractor } from './identity-feature-extractor.js';
export type { ImageLayout } from './image-batch.js';
export { inBatchSimilarity } from './in-batch-similarity.js';
export {
  type KernelInceptionDistance,
  type KernelInceptionDistanceOptions,
  kernelInceptionDistance,
} from './kernel-inception-distance.js';
export {
  type LineChartOptions,
  lineChartPng,
  lineChartSvg,
  type MetricSeries,
} from './line-chart.js';
export { meanMixtureLogDensity, mixtureLogDensity } from './mixture-log-density.js';
export {
  type MixtureModeMetrics,
  type MixtureModeMetricsOptions,
  mixtureModeMetrics,
} from './mixture-mode-metrics.js';
export { decodeNpz, encodeNpz, type NpyArray, type NpyArrayToWrite } from './npz.js';
export type { Color } from './plot-scene.js';
export {
  type PrecisionRecall,
  type PrecisionRecallOptions,
  precisionRecall,
} from './precision-recall.js';
export {
  type SampleGridOptions,
  type SampleGridPanel,
  type SampleGridsOptions,
  sampleGridPng,
  sampleGridsPng,
} from './sample-grid.js';
export {
  type ScatterPlotData,
  type ScatterPlotOptions,
  scatterPlotPng,
  scatterPlotSvg,
} from './scatter-plot.js';
export {
  type SymmetricEigen,
  type SymmetricEigenOptions,
  symmetricEigen,
} from './symmetric-eigen.js';
