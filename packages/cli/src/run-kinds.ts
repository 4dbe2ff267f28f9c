import type { DistillRun, ImageRun, MixtureRun } from '@fdistill/trainer';
import {
  buildImageRunOfConfig,
  buildMixtureRunOfConfig,
  DEFAULT_SAMPLER_PAIRS,
  loadImageTeacher,
  SHIPPED_FASHION_MNIST_TEACHER,
} from './build-run.js';
import { evaluateMixtureModes } from './evaluate-mixture.js';
import { checkFashionMnistFiles } from './fashion-mnist.js';
import type { ImageRunConfig, MixtureRunConfig, RunConfig } from './run-config.js';
import type { RunFolder } from './run-folder.js';
import type { RunContext } from './run-summary.js';
import {
  formatImageSummary,
  type ImageRunSummary,
  summarizeImageRun,
} from './summarize-image-run.js';
import { formatSummary, type RunSummary, summarizeMixtureRun } from './summarize-mixture-run.js';

/** How the CLI builds, checks, measures and reports one kind of run. */
export interface RunKind<Config extends RunConfig, Run extends DistillRun, Summary> {
  /** Fails on missing or bad inputs (data, teacher) before any folder is written. */
  checkInputs(config: Config): void;
  build(config: Config): Run;
  /** Measures the finished run and writes samples.png and summary.json. */
  summarize(run: Run, config: Config, folder: RunFolder, context: RunContext): Promise<Summary>;
  /** The summary as a table for the terminal. */
  format(summary: Summary): string;
  /** Measures the run mid-training into metrics.jsonl, if the kind can: how often, and what. */
  evaluation?: {
    /** Steps between two measurements; 0 turns them off. */
    every(config: Config): number;
    measure(run: Run, config: Config): Promise<object>;
  };
  /** What the run's warm start does, said before it starts (kinds whose runs have one). */
  describeWarmStart?(config: Config): string;
}

/** The ring8 / grid25 runs: an exact teacher, a warm start, modes measured as the run goes. */
export const MIXTURE_RUN_KIND: RunKind<MixtureRunConfig, MixtureRun, RunSummary> = {
  // The teacher is exact and the data its samples: nothing to read.
  checkInputs: () => {},
  build: buildMixtureRunOfConfig,
  summarize: async (run, config, folder, context) =>
    summarizeMixtureRun(run, config, folder, context),
  format: formatSummary,
  evaluation: {
    every: (config) => config.evaluationEvery,
    measure: (run, config) =>
      evaluateMixtureModes(run.distiller, run.studentEma, run.teacher, 1000, config.seed),
  },
  describeWarmStart: (config) =>
    `warm start: fitting the student to the teacher's sampler (${config.studentWarmStartSteps} updates), then the fake score to the student (${config.fakeScorePrefitSteps})`,
};

/** The fashion-mnist runs: a pretrained U-Net teacher, measured with the shipped classifier at the end. */
export const IMAGE_RUN_KIND: RunKind<ImageRunConfig, ImageRun, ImageRunSummary> = {
  checkInputs: (config) => {
    checkFashionMnistFiles(config.dataPath, 'train');
    loadImageTeacher(config.teacherPath ?? SHIPPED_FASHION_MNIST_TEACHER).dispose();
  },
  build: buildImageRunOfConfig,
  summarize: summarizeImageRun,
  format: formatImageSummary,
  describeWarmStart: (config) =>
    `warm start: regressing the student on ${config.studentWarmStartPairs ?? DEFAULT_SAMPLER_PAIRS} sampler pairs of the teacher (${config.studentWarmStartSteps ?? 0} updates)${config.fakeScorePrefitSteps ? `, then the fake score to the student (${config.fakeScorePrefitSteps})` : ''}`,
};
