import { writeFileAtomically } from '@fdistill/trainer/node';
import type { RunConfig } from './run-config.js';
import type { RunFolder } from './run-folder.js';

/** How a run ran, besides its config: the tfjs backend, its threads and its wall-clock seconds. */
export interface RunContext {
  backend: string;
  /** Threads that shared each step (`--threads`) in the last process that trained it, when known. */
  threads?: number;
  /**
   * Threads that draw the samples a measurement needs and no cache holds (the image teacher's);
   * default 1.
   */
  samplerThreads?: number;
  /** Seconds of every process of the run together. */
  wallSeconds: number;
  /** Hears what the measurement is drawing and how long is left (one line each). */
  report?: (line: string) => void;
}

/**
 * The numbers a run of any kind ends with (summary.json): what ran, the kind's measurements, and
 * how it ran, in that order.
 */
export type RunSummaryOf<Measured> = {
  divergence: string;
  preset: string;
  steps: number;
  /** Network evaluations per student sample: 1. */
  nfe: number;
} & Measured & {
    evaluationSamples: number;
    /** Which copy of the student was measured. */
    network: 'ema';
    backend: string;
    threads?: number;
    wallSeconds: number;
  };

/**
 * Writes a measured run's samples.png and summary.json (atomically) into its folder and returns
 * the summary: the one writer of every kind's summary.
 *
 * @example const summary = writeRunSummary(folder, config, { steps: 1000, measured, samplesPng, context });
 */
export function writeRunSummary<Measured extends object>(
  folder: RunFolder,
  config: RunConfig,
  run: { steps: number; measured: Measured; samplesPng: Uint8Array; context: RunContext },
): RunSummaryOf<Measured> {
  writeFileAtomically(folder.file('samples'), run.samplesPng);
  const summary = {
    divergence: config.divergence,
    preset: config.preset,
    steps: run.steps,
    nfe: 1,
    ...run.measured,
    evaluationSamples: config.evaluationSamples,
    network: 'ema' as const,
    backend: run.context.backend,
    ...(run.context.threads === undefined ? {} : { threads: run.context.threads }),
    wallSeconds: run.context.wallSeconds,
  };
  folder.writeSummary(summary);
  return summary;
}

/** A measurement for a summary table: fixed digits, or NaN / Infinity spelled out. */
export function formatMetric(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}
