import type { MixtureRun } from '@fdistill/trainer';
import { writeFileAtomically } from '@fdistill/trainer/node';
import { formatTable } from '@fdistill/utils';
import {
  evaluateMixtureStudent,
  type MixtureEvaluation,
  mixtureSamplesPng,
} from './evaluate-mixture.js';
import type { RunConfig } from './run-config.js';
import type { RunFolder } from './run-folder.js';

/** The numbers a run ends with (summary.json): its measurements plus what and how it ran. */
export type RunSummary = Omit<MixtureEvaluation, 'teacherSamples' | 'studentSamples'> & {
  divergence: string;
  preset: string;
  steps: number;
  /** Network evaluations per student sample: 1. */
  nfe: number;
  evaluationSamples: number;
  /** Which copy of the student was measured. */
  network: 'ema';
  backend: string;
  wallSeconds: number;
};

/**
 * Measures the run's EMA student against the exact teacher, writes samples.png and summary.json
 * atomically, and returns the summary.
 *
 * @example const summary = summarizeMixtureRun(run, config, folder, { backend: 'wasm', wallSeconds: 120 });
 */
export function summarizeMixtureRun(
  run: MixtureRun,
  config: RunConfig,
  folder: RunFolder,
  context: { backend: string; wallSeconds: number },
): RunSummary {
  const evaluation = evaluateMixtureStudent(
    run.distiller,
    run.studentEma,
    run.teacher,
    config.evaluationSamples,
    config.seed,
  );
  const title = `${config.preset} ${config.divergence}, ${run.distiller.steps} steps`;
  writeFileAtomically(folder.file('samples'), mixtureSamplesPng(evaluation, run.teacher, title));
  const { teacherSamples, studentSamples, ...measured } = evaluation;
  const summary: RunSummary = {
    divergence: config.divergence,
    preset: config.preset,
    steps: run.distiller.steps,
    nfe: 1,
    ...measured,
    evaluationSamples: config.evaluationSamples,
    network: 'ema',
    backend: context.backend,
    wallSeconds: context.wallSeconds,
  };
  writeFileAtomically(folder.file('summary'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** A summary as a two-column table. */
export function formatSummary(summary: RunSummary): string {
  const number = (value: number, digits = 3) =>
    Number.isFinite(value) ? value.toFixed(digits) : String(value);
  return formatTable(
    ['metric', 'value'],
    [
      ['preset', summary.preset],
      ['divergence', summary.divergence],
      ['steps', String(summary.steps)],
      ['NFE', String(summary.nfe)],
      ['modes captured', `${summary.modesCaptured} / ${summary.modesTotal}`],
      ['high-quality share', number(summary.highQualityShare)],
      ['mode KL (hist || weights)', number(summary.modeKlDivergence)],
      ['precision (k=3)', number(summary.precision)],
      ['recall (k=3)', number(summary.recall)],
      ['mean log p, student', number(summary.studentMeanLogDensity, 2)],
      ['mean log p, teacher', number(summary.teacherMeanLogDensity, 2)],
      ['backend', summary.backend],
      ['wall seconds', number(summary.wallSeconds, 1)],
    ],
  );
}
