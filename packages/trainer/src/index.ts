export { AdamW, type AdamWOptions } from './adamw.js';
export { type CheckpointContent, decodeCheckpoint, encodeCheckpoint } from './checkpoint-bytes.js';
export { CheckpointError } from './checkpoint-error.js';
export { type CheckpointStore, memoryCheckpointStore } from './checkpoint-store.js';
export { type CriticBatch, type CriticLossTerms, criticLoss } from './critic-loss.js';
export type { DataBatch, DataSource } from './data/data-source.js';
export { mixtureSource } from './data/mixture-source.js';
export { tensorSource } from './data/tensor-source.js';
export {
  mlpDistillDiscriminator,
  teacherFeatureDistillDiscriminator,
} from './discriminator-adapters.js';
export type { BatchStatistics, DistillStepEvent } from './distill-events.js';
export type {
  DistillDiscriminator,
  DistillNetworks,
  R1Perturbation,
} from './distill-networks.js';
export {
  type DistillOptions,
  type R1Form,
  type ResolvedDistillOptions,
  resolveDistillOptions,
} from './distill-options.js';
export type { DistillRun } from './distill-run.js';
export type {
  CriticSlice,
  CriticSliceResult,
  DistillShards,
  GeneratorSliceResult,
  StudentSlice,
} from './distill-shards.js';
export { Distiller } from './distiller.js';
export { fakeScoreLoss } from './fake-score-loss.js';
export {
  distillGeneratorLoss,
  fDistillLoss,
  type GeneratorLossInputs,
  type GeneratorLossTerms,
} from './generator-loss.js';
export { clipByGlobalNorm } from './gradient-clipping.js';
export {
  flatParameters,
  type GradientShards,
  type ShardResult,
  shardSizes,
  type TeacherShard,
  teacherShardOf,
} from './gradient-shards.js';
export {
  buildImageRun,
  IMAGE_HEAD_RESOLUTIONS,
  type ImageRun,
  type ImageWarmStart,
} from './image-run.js';
export {
  buildMixtureRun,
  MIXTURE_RUN_SETTINGS,
  type MixtureName,
  type MixtureRun,
  type MixtureRunSettings,
  mixtureTeacher,
  RING8_WEIGHTS,
} from './mixture-run.js';
export { checkFinite, type NonFiniteAction, NonFiniteLossError } from './non-finite.js';
export {
  type DistillRunSettings,
  distillOptionsOfSettings,
  divergenceOfSettings,
} from './run-settings.js';
export {
  type ResumableTrainer,
  type RunTrainingOptions,
  type RunTrainingResult,
  runTraining,
} from './run-training.js';
export type { SampleWeighting } from './sample-weighting.js';
export { type RandomStream, stepSeed } from './seeds.js';
export {
  type TeacherStepEvent,
  TeacherTrainer,
  type TeacherTrainingOptions,
} from './teacher-trainer.js';
export { type DistillRunOptions, distill, trainTeacher } from './train-functions.js';
export type { PairRegression, SamplerPairs, StudentWarmStart } from './warm-start.js';
