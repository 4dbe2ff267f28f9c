export { assertLabels, nullLabels } from './class-labels.js';
export { type GuidanceOptions, GuidedDenoiser } from './classifier-free-guidance.js';
export type { Denoiser, DenoiserOutputWithFeatures, FeatureDenoiser } from './denoiser.js';
export {
  type DenoisingScoreMatchingDraws,
  type DenoisingScoreMatchingOptions,
  denoisingScoreMatchingDraws,
  denoisingScoreMatchingLoss,
  denoisingScoreMatchingWeight,
  EDM_P_MEAN,
  EDM_P_STD,
  sampleLogNormalSigmas,
} from './denoising-score-matching.js';
export { assertSeed, deriveSeed, mixSeedBits } from './derive-seed.js';
export { EdmNetwork, type RawNetworkOutput } from './edm-network.js';
export {
  broadcastPerSample,
  DEFAULT_SIGMA_DATA,
  EDM_SIGMA_MAX,
  EDM_SIGMA_MIN,
  type EdmCoefficients,
  edmCoefficients,
  multiplyPerSample,
  repeatPerSample,
  sigmaPerSample,
} from './edm-preconditioning.js';
export {
  type ChurnOptions,
  EDM_STOCHASTIC_DEFAULTS,
  type EdmSamplerOptions,
  edmSampler,
  eulerSampler,
  heunSampler,
  type SamplerOptions,
  type SamplerResult,
  samplerNoise,
  stochasticSampler,
} from './edm-sampler.js';
export { updateExponentialMovingAverage } from './exponential-moving-average.js';
export { GaussianMixture, type GaussianMixtureOptions } from './gaussian-mixture.js';
export {
  DEFAULT_RHO,
  type KarrasGridOptions,
  karrasSigmas,
  karrasTimeGrid,
  sampleTrainingSigmas,
  type TrainingSigmaOptions,
} from './karras-sigmas.js';
export { Conv2d, type Conv2dOptions, type Conv2dPadding } from './layers/conv2d.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { GROUP_NORM_EPSILON, GroupNorm } from './layers/group-norm.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export {
  DEFAULT_FOURIER_SCALE,
  NoiseEmbedding,
  type NoiseEmbeddingKind,
  type NoiseEmbeddingOptions,
  POSITIONAL_MAX_POSITIONS,
} from './layers/noise-embedding.js';
export { SelfAttention, type SelfAttentionOptions } from './layers/self-attention.js';
export {
  twiceDifferentiableSilu,
  twiceDifferentiableSoftmax,
} from './layers/twice-differentiable.js';
export {
  type GridMixtureOptions,
  gridMixture,
  type RingMixtureOptions,
  ringMixture,
} from './mixture-presets.js';
export {
  MLP_DENOISER_CONFIG_KEY,
  MLP_DENOISER_DEFAULTS,
  MlpDenoiser,
  type MlpDenoiserConfig,
  type MlpDenoiserOptions,
  resolveMlpDenoiserConfig,
} from './mlp-denoiser.js';
export { Module } from './module.js';
export {
  exportDenoiserToOnnx,
  type OnnxExportOptions,
} from './onnx/export-denoiser-to-onnx.js';
export {
  exportStudentToOnnx,
  type OnnxStudentExportOptions,
} from './onnx/export-student-to-onnx.js';
export type { OnnxExportableNetwork } from './onnx/network-onnx-model.js';
export {
  ONNX_OPSET_VERSION,
  type OnnxAttribute,
  type OnnxDimension,
  type OnnxElementType,
  OnnxGraphBuilder,
  type OnnxModelOptions,
} from './onnx/onnx-graph-builder.js';
export {
  type Conv2dGeometry,
  conv2dGraph,
  linearGraph,
  type OnnxExportContext,
  siluGraph,
} from './onnx/onnx-layers.js';
export { StateDictReader } from './onnx/state-dict-reader.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContent,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from './safetensors.js';
export {
  loadModuleFromSafetensors,
  moduleFromSafetensors,
  moduleToSafetensors,
  NETWORK_CONFIG_KEY,
} from './state-dict-file.js';
export {
  Downsample,
  nearestUpsample2x,
  ResidualBlock,
  type ResidualBlockOptions,
  Upsample,
} from './unet/unet-blocks.js';
export { type ResolvedUNetConfig, resolveUNetConfig, type UNetConfig } from './unet/unet-config.js';
export { UNetDenoiser, type UNetFeatureTap } from './unet/unet-denoiser.js';
