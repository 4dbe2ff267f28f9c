import { sampleGridPng } from '@fdistill/eval';
import { checkpointFile, writeFileAtomically } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { buildImageRunOfConfig } from '../build-run.js';
import { balancedLabels, studentSamplesFor, teacherSamplesInChunks } from '../image-samplers.js';
import type { ImageRunConfig } from '../run-config.js';
import type { RunFolder } from '../run-folder.js';
import { encodeSampleNpz } from '../sample-npz.js';
import { UsageError } from '../usage-error.js';

/** What `sampleImageRun` draws. */
export interface ImageSampleRequest {
  folder: RunFolder;
  config: ImageRunConfig;
  count: number;
  seed: number;
  /** Sample the teacher (Heun) instead of the one-step student. */
  teacher: boolean;
  /** The teacher's Heun steps (2 * steps - 1 network evaluations). */
  steps: number;
  /** Threads that draw the teacher's samples at once. */
  threads: number;
  /** Every sample of this class; default balanced (sample i is class i mod 10). */
  label?: number;
  /** .npz (uint8 samples [N, 28, 28, 1] and int64 labels), .png (a grid) or .json. */
  out: string;
}

/**
 * Draws Fashion-MNIST samples from a run's EMA student (1 NFE) or its teacher (Heun) for
 * balanced labels (or one class) and writes them in the field's format: an `.npz` with `samples`
 * (uint8 [N, 28, 28, 1], the dataset's own crop) and `labels`, a PNG grid, or JSON.
 */
export async function sampleImageRun(request: ImageSampleRequest): Promise<number> {
  const { folder, config, count, seed, out } = request;
  if (
    request.label !== undefined &&
    !(Number.isInteger(request.label) && request.label >= 0 && request.label <= 9)
  )
    throw new UsageError(`--label must be an integer in [0, 9], got ${request.label}`);
  const labels =
    request.label === undefined
      ? balancedLabels(count)
      : new Array<number>(count).fill(request.label);
  const run = buildImageRunOfConfig(config);
  try {
    let networkEvaluations = 1;
    let samples: tf.Tensor4D;
    if (request.teacher) {
      const result = await teacherSamplesInChunks(run.teacher, labels, seed, {
        guidanceScale: config.guidanceScale ?? 1,
        steps: request.steps,
        threads: request.threads,
      });
      samples = result.samples;
      networkEvaluations = result.networkEvaluations;
    } else {
      run.distiller.loadCheckpoint(checkpointFile(folder.file('checkpoint')));
      samples = studentSamplesFor(run.distiller, run.studentEma, labels, seed);
    }
    const values = (await samples.data()) as Float32Array;
    const shape = [...samples.shape];
    if (/\.npz$/i.test(out)) {
      writeFileAtomically(out, encodeSampleNpz(values, shape, labels));
    } else if (/\.json$/i.test(out)) {
      writeFileAtomically(
        out,
        `${JSON.stringify({ networkEvaluations, shape, labels, samples: Array.from(values) })}\n`,
      );
    } else {
      writeFileAtomically(out, sampleGridPng(samples, { columns: 10, scale: 2 }));
    }
    tf.dispose(samples);
    console.log(
      `wrote ${count} samples (${networkEvaluations} network evaluations each) to ${out}`,
    );
    return 0;
  } finally {
    run.dispose();
  }
}
