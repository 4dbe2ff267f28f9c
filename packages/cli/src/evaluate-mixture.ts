import {
  meanMixtureLogDensity,
  mixtureModeMetrics,
  precisionRecall,
  scatterPlotPng,
} from '@fdistill/eval';
import type { EdmNetwork, GaussianMixture } from '@fdistill/score';
import type { Distiller } from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';

/** What the final evaluation of a mixture run measures. */
export interface MixtureEvaluation {
  modesCaptured: number;
  modesTotal: number;
  highQualityShare: number;
  modeKlDivergence: number;
  precision: number;
  recall: number;
  studentMeanLogDensity: number;
  teacherMeanLogDensity: number;
  /** The samples, for the picture. */
  teacherSamples: number[][];
  studentSamples: number[][];
}

/**
 * Draws `count` exact teacher samples and `count` one-step student samples (one network
 * evaluation each) and measures mode coverage, high-quality share, mode-histogram KL, k-NN
 * precision/recall (k = 3) and the exact mean log-density. A mode counts as captured with at
 * least 20 high-quality samples per 2,500 drawn (PacGAN's rule, scaled).
 *
 * @example const evaluation = evaluateMixtureStudent(run.distiller, run.studentEma, run.teacher, 2500, 0);
 */
export function evaluateMixtureStudent(
  distiller: Distiller,
  student: EdmNetwork,
  teacher: GaussianMixture,
  count: number,
  seed: number,
): MixtureEvaluation {
  const [teacherSamples, studentSamples] = tf.tidy(() => {
    const latent = tf.randomNormal([count, teacher.dim], 0, 1, 'float32', seed + 1_000_003);
    return [
      teacher.sample(count, seed + 1_000_033).arraySync() as number[][],
      distiller.generate(latent, undefined, student).arraySync() as number[][],
    ];
  });
  const modes = mixtureModeMetrics(studentSamples, teacher, {
    minimumCount: Math.max(1, Math.round((20 * count) / 2500)),
  });
  const { precision, recall } = precisionRecall(teacherSamples, studentSamples, { k: 3 });
  return {
    modesCaptured: modes.modesCaptured,
    modesTotal: teacher.weights.length,
    highQualityShare: modes.highQualityFraction,
    modeKlDivergence: modes.modeKlDivergence,
    precision,
    recall,
    studentMeanLogDensity: meanMixtureLogDensity(studentSamples, teacher),
    teacherMeanLogDensity: meanMixtureLogDensity(teacherSamples, teacher),
    teacherSamples,
    studentSamples,
  };
}

/** The teacher-against-student scatter plot of an evaluation, as PNG bytes. */
export function mixtureSamplesPng(
  evaluation: MixtureEvaluation,
  teacher: GaussianMixture,
  title: string,
): Uint8Array {
  // The modes plus a margin: student samples far outside stay off the picture, not shrink it.
  const extent = Math.max(...teacher.means.flat().map(Math.abs)) + 0.6;
  return scatterPlotPng(
    {
      teacher: evaluation.teacherSamples,
      student: evaluation.studentSamples,
      modeCentres: teacher.means,
    },
    {
      title,
      width: 560,
      height: 560,
      bounds: { xMin: -extent, xMax: extent, yMin: -extent, yMax: extent },
    },
  );
}
