import { meanMixtureLogDensity, mixtureModeMetrics, scatterPlotPng } from '@fdistill/eval';
import { heunSampler, MlpDenoiser } from '@fdistill/score';
import { type MixtureName, mixtureSource, mixtureTeacher, trainTeacher } from '@fdistill/trainer';
import { checkpointFile, writeFileAtomically } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { ProgressBar } from './progress-bar.js';
import type { RunFolder } from './run-folder.js';

/** What `trainMixtureTeacher` trains: an MLP denoiser on a mixture's exact samples. */
export interface MixtureTeacherRequest {
  preset: MixtureName;
  steps: number;
  batchSize: number;
  /** Width and depth of the MLP. */
  width: number;
  depth: number;
  /** Peak learning rate (linear warm-up, then cosine decay). */
  learningRate: number;
  seed: number;
  folder: RunFolder;
  /** Stops the run after the current step with a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
}

/** A mixture teacher's summary.json: its Heun samples measured against the exact mixture. */
export interface MixtureTeacherSummary {
  preset: MixtureName;
  steps: number;
  nfe: number;
  modesCaptured: number;
  modesTotal: number;
  highQualityShare: number;
  modeKlDivergence: number;
  meanLogDensity: number;
  exactMeanLogDensity: number;
  wallSeconds: number;
}

/** Teacher samples measured at the end. */
const MEASURED_SAMPLES = 2500;

/**
 * Trains a mixture teacher by denoising score matching on the exact mixture's samples (with a
 * progress bar, metrics.jsonl and checkpoints), then writes teacher.safetensors (the EMA
 * network), samples.png (Heun 18-step samples against exact ones) and summary.json. Returns the
 * summary, or the step it stopped at when stopped by `signal` (a checkpoint is written).
 *
 * @example const summary = await trainMixtureTeacher({ preset: 'ring8', steps: 3000, batchSize: 256, width: 128, depth: 3, learningRate: 2e-3, seed: 0, folder });
 */
export async function trainMixtureTeacher(
  request: MixtureTeacherRequest,
): Promise<{ summary: MixtureTeacherSummary } | { stoppedAt: number }> {
  const { preset, steps, batchSize, width, depth, learningRate, seed, folder } = request;
  const mixture = mixtureTeacher(preset);
  const network = new MlpDenoiser({ dimension: mixture.dimension, width, depth, seed });
  const ema = new MlpDenoiser({ dimension: mixture.dimension, width, depth, seed });
  try {
    const bar = new ProgressBar(steps);
    const started = performance.now();
    const result = await trainTeacher(
      network,
      mixtureSource(mixture),
      { batchSize, totalSteps: steps, learningRate, seed },
      {
        ema,
        checkpoint: checkpointFile(folder.file('checkpoint')),
        checkpointEvery: 1000,
        ...(request.signal ? { signal: request.signal } : {}),
        onStep: (event) => {
          folder.appendMetrics({ ...event });
          bar.update(
            event.step + 1,
            `loss ${event.loss.toFixed(4)} lr ${event.learningRate.toExponential(2)}`,
          );
        },
      },
    );
    bar.finish();
    if (result.interrupted) return { stoppedAt: result.steps };
    writeFileAtomically(folder.file('teacher'), ema.toSafetensors());
    const { samples, networkEvaluations } = heunSampler(ema, {
      steps: 18,
      seed: seed + 7,
      shape: [MEASURED_SAMPLES, mixture.dimension],
    });
    const teacherSamples = (await samples.array()) as number[][];
    const exactSamples = tf.tidy(() => mixture.sample(MEASURED_SAMPLES, seed + 8));
    const exact = (await exactSamples.array()) as number[][];
    tf.dispose([samples, exactSamples]);
    const modes = mixtureModeMetrics(teacherSamples, mixture);
    const summary: MixtureTeacherSummary = {
      preset,
      steps,
      nfe: networkEvaluations,
      modesCaptured: modes.modesCaptured,
      modesTotal: mixture.weights.length,
      highQualityShare: modes.highQualityFraction,
      modeKlDivergence: modes.modeKlDivergence,
      meanLogDensity: meanMixtureLogDensity(teacherSamples, mixture),
      exactMeanLogDensity: meanMixtureLogDensity(exact, mixture),
      wallSeconds: (performance.now() - started) / 1000,
    };
    folder.writeSummary(summary);
    writeFileAtomically(
      folder.file('samples'),
      scatterPlotPng(
        { teacher: exact, student: teacherSamples, modeCentres: mixture.means },
        {
          title: `${preset} teacher, Heun 18 steps`,
          labels: { teacher: 'exact', student: 'teacher' },
        },
      ),
    );
    return { summary };
  } finally {
    network.dispose();
    ema.dispose();
  }
}
