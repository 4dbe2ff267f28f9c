export type { Denoiser, DenoiserOutputWithFeatures, FeatureDenoiser } from './denoiser.js';
export { EdmNetwork, type RawNetworkOutput } from './edm-network.js';
export {
  broadcastPerSample,
  DEFAULT_SIGMA_DATA,
  EDM_SIGMA_MAX,
  EDM_SIGMA_MIN,
  type EdmCoefficients,
  edmCoefficients,
  sigmaPerSample,
} from './edm-preconditioning.js';
export { updateExponentialMovingAverage } from './exponential-moving-average.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Module } from './module.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContent,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from './safetensors.js';
export { loadModuleFromSafetensors, moduleToSafetensors } from './state-dict-file.js';
