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
 * @example const evaluation = await evaluateMixtureStudent(run.distiller, run.studentEma, run.teacher, 2500, 0);
 */
export async function evaluateMixtureStudent(
  distiller: Distiller,
  student: EdmNetwork,
  teacher: GaussianMixture,
  count: number,
  seed: number,
): Promise<MixtureEvaluation> {
  const teacherSamples = await readRows(teacher.sample(count, seed + 1_000_033));
  const studentSamples = await mixtureStudentSamples(
    distiller,
    student,
    teacher.dimension,
    count,
    seed,
  );
  const modes = modeMetrics(studentSamples, teacher);
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

/** What a mid-run evaluation measures (a `phase: 'evaluation'` line of metrics.jsonl). */
export interface MixtureModeEvaluation {
  modesCaptured: number;
  highQualityShare: number;
  modeKlDivergence: number;
}

/**
 * The mode metrics of `count` one-step samples of `student` (the same latents at every call, so
 * the points of one run compare): what a run logs at its evaluation points.
 *
 * @example (await evaluateMixtureModes(run.distiller, run.studentEma, run.teacher, 1000, 0)).modesCaptured
 */
export async function evaluateMixtureModes(
  distiller: Distiller,
  student: EdmNetwork,
  teacher: GaussianMixture,
  count: number,
  seed: number,
): Promise<MixtureModeEvaluation> {
  const modes = modeMetrics(
    await mixtureStudentSamples(distiller, student, teacher.dimension, count, seed),
    teacher,
  );
  return {
    modesCaptured: modes.modesCaptured,
    highQualityShare: modes.highQualityFraction,
    modeKlDivergence: modes.modeKlDivergence,
  };
}

/** The rows of a [n, d] tensor, read without blocking (GPU backends), then freed. */
async function readRows(tensor: tf.Tensor): Promise<number[][]> {
  const rows = (await tensor.array()) as number[][];
  tensor.dispose();
  return rows;
}

/** `count` one-step samples of `student` from the evaluation latents of `seed`. */
function mixtureStudentSamples(
  distiller: Distiller,
  student: EdmNetwork,
  dimension: number,
  count: number,
  seed: number,
): Promise<number[][]> {
  return readRows(
    tf.tidy(() => {
      const latent = tf.randomNormal([count, dimension], 0, 1, 'float32', seed + 1_000_003);
      return distiller.generate(latent, undefined, student);
    }),
  );
}

/** Mode metrics with PacGAN's capture rule: at least 20 high-quality samples per 2,500 drawn. */
function modeMetrics(samples: number[][], teacher: GaussianMixture) {
  return mixtureModeMetrics(samples, teacher, {
    minimumCount: Math.max(1, Math.round((20 * samples.length) / 2500)),
  });
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
