import { sampleGridsPng } from '@fdistill/eval';
import type { ImageRun } from '@fdistill/trainer';
import { formatTable } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs';
import { evaluateImageStudent } from './evaluate-image.js';
import { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
import { balancedLabels } from './image-samplers.js';
import type { ImageRunConfig } from './run-config.js';
import type { RunFolder } from './run-folder.js';
import {
  formatMetric,
  type RunContext,
  type RunSummaryOf,
  writeRunSummary,
} from './run-summary.js';

/** Columns of samples.png per class. */
const GRID_COLUMNS = 8;

/** ', guidance 1.5' after a teacher's NFE when it is guided; nothing when it is not. */
function guidanceTitle(guidanceScale: number): string {
  return guidanceScale === 1 ? '' : `, guidance ${guidanceScale}`;
}

/** What an image run measures of its student and its teacher. */
export interface ImageMeasurements {
  teacherNfe: number;
  /** The classifier-free guidance scale of the teacher (its samples and the distillation). */
  teacherGuidanceScale: number;
  domainFid: number;
  teacherDomainFid: number;
  precision: number;
  recall: number;
  teacherPrecision: number;
  teacherRecall: number;
  classesCovered: number;
  classKl: number;
  maxClassShare: number;
  minClassShare: number;
  labelAccuracy: number;
  teacherClassesCovered: number;
  teacherClassKl: number;
  teacherLabelAccuracy: number;
  /** The same measures of `evaluationSamples` real training images: the floor of each figure. */
  realDataDomainFid: number;
  realDataPrecision: number;
  realDataRecall: number;
  realDataLabelAccuracy: number;
  studentSecondsPerImage: number;
  teacherSecondsPerImage: number;
}

/** The numbers an image run ends with (summary.json). */
export type ImageRunSummary = RunSummaryOf<ImageMeasurements>;

/**
 * The first `GRID_COLUMNS` samples of every class, class by class: indices into a batch whose
 * labels are `labels`.
 */
function gridOrder(labels: readonly number[]): number[] {
  return FASHION_MNIST_CLASSES.flatMap((_, label) =>
    labels
      .map((value, index) => [value, index] as const)
      .filter(([value]) => value === label)
      .slice(0, GRID_COLUMNS)
      .map(([, index]) => index),
  );
}

/**
 * Measures the run's EMA student and its teacher with the shipped classifier, writes samples.png
 * (teacher 35 NFE beside student 1 NFE, same labels, one class per row) and summary.json
 * atomically, and returns the summary.
 *
 * @example const summary = await summarizeImageRun(run, config, folder, { backend: 'wasm', wallSeconds: 1500 });
 */
export async function summarizeImageRun(
  run: ImageRun,
  config: ImageRunConfig,
  folder: RunFolder,
  context: RunContext,
): Promise<ImageRunSummary> {
  const evaluation = await evaluateImageStudent(run.distiller, run.studentEma, run.teacher, {
    count: config.evaluationSamples,
    seed: config.seed,
    dataPath: config.dataPath,
    guidanceScale: config.guidanceScale ?? 1,
    threads: context.samplerThreads ?? 1,
    ...(context.report === undefined ? {} : { report: context.report }),
  });
  // Teacher and student samples were drawn for the same balanced labels: one order serves both.
  const order = gridOrder(balancedLabels(config.evaluationSamples));
  const [teacherGrid, studentGrid] = tf.tidy(() => [
    tf.gather(evaluation.teacherSamples, order),
    tf.gather(evaluation.studentSamples, order),
  ]);
  const samplesPng = sampleGridsPng(
    [
      {
        images: teacherGrid as tf.Tensor,
        title: `teacher, ${evaluation.teacherNfe} NFE${guidanceTitle(config.guidanceScale ?? 1)}`,
      },
      { images: studentGrid as tf.Tensor, title: `student ${config.divergence}, 1 NFE` },
    ],
    { columns: GRID_COLUMNS, scale: 2, rowLabels: [...FASHION_MNIST_CLASSES] },
  );
  tf.dispose([teacherGrid, studentGrid, evaluation.studentSamples, evaluation.teacherSamples]);
  const { student, teacher, realData } = evaluation;
  const measured: ImageMeasurements = {
    teacherNfe: evaluation.teacherNfe,
    teacherGuidanceScale: config.guidanceScale ?? 1,
    domainFid: student.domainFid,
    teacherDomainFid: teacher.domainFid,
    precision: student.precision,
    recall: student.recall,
    teacherPrecision: teacher.precision,
    teacherRecall: teacher.recall,
    classesCovered: student.classes.classesCovered,
    classKl: student.classes.klToUniform,
    maxClassShare: student.classes.maxShare,
    minClassShare: student.classes.minShare,
    labelAccuracy: student.classes.labelAccuracy as number,
    teacherClassesCovered: teacher.classes.classesCovered,
    teacherClassKl: teacher.classes.klToUniform,
    teacherLabelAccuracy: teacher.classes.labelAccuracy as number,
    realDataDomainFid: realData.domainFid,
    realDataPrecision: realData.precision,
    realDataRecall: realData.recall,
    realDataLabelAccuracy: realData.classes.labelAccuracy as number,
    studentSecondsPerImage: evaluation.studentSecondsPerImage,
    teacherSecondsPerImage: evaluation.teacherSecondsPerImage,
  };
  return writeRunSummary(folder, config, {
    steps: run.distiller.steps,
    measured,
    samplesPng,
    context,
  });
}

/** An image summary as a table: student beside teacher and real training images at the same N. */
export function formatImageSummary(summary: ImageRunSummary): string {
  return formatTable(
    ['metric', 'student', 'teacher', `real data (N = ${summary.evaluationSamples})`],
    [
      [
        'NFE',
        String(summary.nfe),
        `${summary.teacherNfe}${guidanceTitle(summary.teacherGuidanceScale ?? 1)}`,
        '',
      ],
      [
        'domain-FID (classifier features)',
        formatMetric(summary.domainFid, 2),
        formatMetric(summary.teacherDomainFid, 2),
        formatMetric(summary.realDataDomainFid, 2),
      ],
      [
        'precision (k=3)',
        formatMetric(summary.precision),
        formatMetric(summary.teacherPrecision),
        formatMetric(summary.realDataPrecision),
      ],
      [
        'recall (k=3)',
        formatMetric(summary.recall),
        formatMetric(summary.teacherRecall),
        formatMetric(summary.realDataRecall),
      ],
      [
        'classes covered',
        `${summary.classesCovered} / 10`,
        `${summary.teacherClassesCovered} / 10`,
        '',
      ],
      [
        'class KL (hist || uniform)',
        formatMetric(summary.classKl),
        formatMetric(summary.teacherClassKl),
        '',
      ],
      [
        'classified as requested',
        formatMetric(summary.labelAccuracy),
        formatMetric(summary.teacherLabelAccuracy),
        formatMetric(summary.realDataLabelAccuracy),
      ],
      [
        'seconds per image (tfjs)',
        formatMetric(summary.studentSecondsPerImage, 4),
        formatMetric(summary.teacherSecondsPerImage, 4),
      ],
      ['divergence / steps', `${summary.divergence} / ${summary.steps}`, ''],
      [
        'backend / wall seconds',
        `${summary.backend} / ${formatMetric(summary.wallSeconds, 1)}`,
        '',
      ],
    ],
  );
}
