import type { MixtureRun } from '@fdistill/trainer';
import { formatTable } from '@fdistill/utils';
import {
  evaluateMixtureStudent,
  type MixtureEvaluation,
  mixtureSamplesPng,
} from './evaluate-mixture.js';
import type { MixtureRunConfig } from './run-config.js';
import type { RunFolder } from './run-folder.js';
import {
  formatMetric,
  type RunContext,
  type RunSummaryOf,
  writeRunSummary,
} from './run-summary.js';

/** The numbers a mixture run ends with (summary.json): its measurements plus what and how it ran. */
export type RunSummary = RunSummaryOf<Omit<MixtureEvaluation, 'teacherSamples' | 'studentSamples'>>;

/**
 * Measures the run's EMA student against the exact teacher, writes samples.png and summary.json
 * atomically, and returns the summary.
 *
 * @example const summary = await summarizeMixtureRun(run, config, folder, { backend: 'wasm', wallSeconds: 120 });
 */
export async function summarizeMixtureRun(
  run: MixtureRun,
  config: MixtureRunConfig,
  folder: RunFolder,
  context: RunContext,
): Promise<RunSummary> {
  const evaluation = await evaluateMixtureStudent(
    run.distiller,
    run.studentEma,
    run.teacher,
    config.evaluationSamples,
    config.seed,
  );
  const title = `${config.preset} ${config.divergence}, ${run.distiller.steps} steps`;
  const samplesPng = mixtureSamplesPng(evaluation, run.teacher, title);
  const { teacherSamples, studentSamples, ...measured } = evaluation;
  return writeRunSummary(folder, config, {
    steps: run.distiller.steps,
    measured,
    samplesPng,
    context,
  });
}

/** A summary as a two-column table. */
export function formatSummary(summary: RunSummary): string {
  return formatTable(
    ['metric', 'value'],
    [
      ['preset', summary.preset],
      ['divergence', summary.divergence],
      ['steps', String(summary.steps)],
      ['NFE', String(summary.nfe)],
      ['modes captured', `${summary.modesCaptured} / ${summary.modesTotal}`],
      ['high-quality share', formatMetric(summary.highQualityShare)],
      ['mode KL (hist || weights)', formatMetric(summary.modeKlDivergence)],
      ['precision (k=3)', formatMetric(summary.precision)],
      ['recall (k=3)', formatMetric(summary.recall)],
      ['mean log p, student', formatMetric(summary.studentMeanLogDensity, 2)],
      ['mean log p, teacher', formatMetric(summary.teacherMeanLogDensity, 2)],
      ['backend', summary.backend],
      ['wall seconds', formatMetric(summary.wallSeconds, 1)],
    ],
  );
}
