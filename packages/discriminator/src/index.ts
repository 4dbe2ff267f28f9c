export {
  ConvDiscriminator,
  type ConvDiscriminatorConfig,
  ConvNormSilu,
  DiscriminatorHead,
  type DiscriminatorOutput,
  type DiscriminatorTap,
  defaultGroupNormGroups,
} from './conv-discriminator.js';
export { densityRatio } from './density-ratio.js';
export { discriminate } from './discriminate.js';
export {
  type DiscriminatorGradients,
  discriminatorGradients,
} from './discriminator-gradients.js';
export { discriminatorLoss, generatorLoss, type Logits } from './losses.js';
export {
  MLP_DISCRIMINATOR_DEFAULTS,
  MlpDiscriminator,
  type MlpDiscriminatorConfig,
} from './mlp-discriminator.js';
export {
  type ApproximateR1Options,
  approximateR1Penalty,
  DEFAULT_R1_PERTURBATION,
  exactR1Penalty,
  explainGradientError,
  type LogitFunction,
  r1PerturbationNoise,
} from './r1.js';
