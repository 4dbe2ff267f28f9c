export { buildMixtureRunOfConfig } from './build-run.js';
export { MAIN_HELP, runCli } from './cli.js';
export {
  evaluateMixtureStudent,
  type MixtureEvaluation,
  mixtureSamplesPng,
} from './evaluate-mixture.js';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  FASHION_MNIST_PATH,
  FASHION_MNIST_TEACHER_NETWORK,
  fashionMnistSource,
} from './fashion-mnist.js';
export type { ImageTeacherConfig } from './image-teacher-config.js';
export { readConfigFile, resolveRunConfig } from './load-config.js';
export { PRESET_DESCRIPTIONS, PRESETS } from './presets.js';
export {
  ConfigError,
  type ConfigKind,
  type ImageRunConfig,
  MIXTURE_PRESETS,
  type MixtureRunConfig,
  PRESET_NAMES,
  type PresetName,
  type RunConfig,
  type RunConfigFields,
  validateConfigFields,
} from './run-config.js';
export { RUN_FILES, RunFolder } from './run-folder.js';
export type { RunContext, RunSummaryOf } from './run-summary.js';
export { selectCliBackend } from './select-cli-backend.js';
export { formatSummary, type RunSummary, summarizeMixtureRun } from './summarize-mixture-run.js';
