import { sampleGridsPng } from '@fdistill/eval';
import { writeFileAtomically } from '@fdistill/trainer/node';
import { formatTable } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs';
import type { ImageRun } from './build-image-run.js';
import { evaluateImageStudent } from './evaluate-image.js';
import { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
import { balancedLabels } from './image-samplers.js';
import type { RunConfig } from './run-config.js';
import type { RunFolder } from './run-folder.js';

/** Columns of samples.png per class. */
const GRID_COLUMNS = 8;

/** The numbers an image run ends with (summary.json). */
export interface ImageRunSummary {
  divergence: string;
  preset: string;
  steps: number;
  /** Network evaluations per student sample: 1. */
  nfe: number;
  teacherNfe: number;
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
  evaluationSamples: number;
  network: 'ema';
  backend: string;
  wallSeconds: number;
}

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
  config: RunConfig,
  folder: RunFolder,
  context: { backend: string; wallSeconds: number; report?: (line: string) => void },
): Promise<ImageRunSummary> {
  const evaluation = await evaluateImageStudent(run.distiller, run.studentEma, run.teacher, {
    count: config.evaluationSamples,
    seed: config.seed,
    dataPath: config.dataPath as string,
    ...(context.report === undefined ? {} : { report: context.report }),
  });
  // Teacher and student samples were drawn for the same balanced labels: one order serves both.
  const order = gridOrder(balancedLabels(config.evaluationSamples));
  const [teacherGrid, studentGrid] = tf.tidy(() => [
    tf.gather(evaluation.teacherSamples, order),
    tf.gather(evaluation.studentSamples, order),
  ]);
  writeFileAtomically(
    folder.file('samples'),
    sampleGridsPng(
      [
        { images: teacherGrid as tf.Tensor, title: `teacher, ${evaluation.teacherNfe} NFE` },
        { images: studentGrid as tf.Tensor, title: `student ${config.divergence}, 1 NFE` },
      ],
      { columns: GRID_COLUMNS, scale: 2, rowLabels: [...FASHION_MNIST_CLASSES] },
    ),
  );
  tf.dispose([teacherGrid, studentGrid, evaluation.studentSamples, evaluation.teacherSamples]);
  const { student, teacher, realData } = evaluation;
  const summary: ImageRunSummary = {
    divergence: config.divergence,
    preset: config.preset,
    steps: run.distiller.steps,
    nfe: 1,
    teacherNfe: evaluation.teacherNfe,
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
    evaluationSamples: config.evaluationSamples,
    network: 'ema',
    backend: context.backend,
    wallSeconds: context.wallSeconds,
  };
  writeFileAtomically(folder.file('summary'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** An image summary as a table: student beside teacher and real training images at the same N. */
export function formatImageSummary(summary: ImageRunSummary): string {
  const number = (value: number, digits = 3) =>
    Number.isFinite(value) ? value.toFixed(digits) : String(value);
  return formatTable(
    ['metric', 'student', 'teacher', `real data (N = ${summary.evaluationSamples})`],
    [
      ['NFE', String(summary.nfe), String(summary.teacherNfe), ''],
      [
        'domain-FID (classifier features)',
        number(summary.domainFid, 2),
        number(summary.teacherDomainFid, 2),
        number(summary.realDataDomainFid, 2),
      ],
      [
        'precision (k=3)',
        number(summary.precision),
        number(summary.teacherPrecision),
        number(summary.realDataPrecision),
      ],
      [
        'recall (k=3)',
        number(summary.recall),
        number(summary.teacherRecall),
        number(summary.realDataRecall),
      ],
      [
        'classes covered',
        `${summary.classesCovered} / 10`,
        `${summary.teacherClassesCovered} / 10`,
        '',
      ],
      ['class KL (hist || uniform)', number(summary.classKl), number(summary.teacherClassKl), ''],
      [
        'classified as requested',
        number(summary.labelAccuracy),
        number(summary.teacherLabelAccuracy),
        number(summary.realDataLabelAccuracy),
      ],
      [
        'seconds per image (tfjs)',
        number(summary.studentSecondsPerImage, 4),
        number(summary.teacherSecondsPerImage, 4),
      ],
      ['divergence / steps', `${summary.divergence} / ${summary.steps}`, ''],
      ['backend / wall seconds', `${summary.backend} / ${number(summary.wallSeconds, 1)}`, ''],
    ],
  );
}
