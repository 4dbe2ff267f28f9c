import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { sampleGridPng, scatterPlotPng } from '@fdistill/eval';
import { heunSampler } from '@fdistill/score';
import { checkpointFile, writeFileAtomically } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { buildMixtureRunOfConfig } from '../build-run.js';
import { cropToDataset, FASHION_MNIST_PADDED_SIZE, FASHION_MNIST_SIZE } from '../fashion-mnist.js';
import { normalLatents, openOnnxStudent } from '../onnx-student.js';
import { ConfigError } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { encodeSampleNpz } from '../sample-npz.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { TEACHER_EVALUATION_SEED } from '../teacher-sample-cache.js';
import {
  numberFlag,
  parseCommandArgs,
  threadsFlag,
  threadsOnBackend,
  UsageError,
} from '../usage-error.js';
import { sampleImageRun } from './sample-image.js';

/** `fdistill sample --help`. */
export const SAMPLE_HELP = `fdistill sample: draw samples from a run's one-step student, or from its teacher with N steps

Usage: fdistill sample --run DIR [-n 1000] [--teacher [--steps 18] [--threads N]] [--label K] [--seed S] --out FILE
       fdistill sample --onnx student.onnx [-n 1000] [--label K] [--seed S] --out FILE

  --run DIR      a run folder written by fdistill distill
  --onnx FILE    a student exported by fdistill export, run by onnxruntime-node (CPU, batched)
  -n N           number of samples (default 1000)
  --teacher      sample the teacher with the Heun sampler instead (2 * steps - 1 evaluations)
  --steps N      Heun steps for --teacher (default 18, 35 evaluations)
  --threads N    image runs' --teacher: threads that draw batches of 100 at once (default: every
                 core, ${availableParallelism()} here); the samples are the same on any number
  --seed S       seed of the latents (default 0; an image run's: the seed its evaluation drew
                 with, the run's seed for the student and ${TEACHER_EVALUATION_SEED} for --teacher, so the
                 first N samples are those its summary scored)
  --label K      class-conditional students and teachers: every sample of class K (default
                 balanced: sample i is class i mod the number of classes)
  --out FILE     .png (mixtures: a scatter against exact teacher samples; images: a grid),
                 .json (the samples), or for images .npz (uint8 samples [N, H, W, C] and
                 int64 labels, 0 for an unconditional student: the format the field's FID
                 tools read); Fashion-MNIST samples are the dataset's 28x28 (the centre of
                 the 32x32 the networks draw)
  --backend      auto | tensorflow-gpu | tensorflow | wasm | cpu`;

/** Samples an exported ONNX student with onnxruntime-node and writes JSON, NPZ or PNG. */
async function sampleOnnx(
  path: string,
  count: number,
  batchSize: number,
  seed: number,
  out: string,
  label: number | undefined,
): Promise<number> {
  if (!(Number.isInteger(count) && count >= 1))
    throw new UsageError(`-n must be an integer >= 1, got ${count}`);
  if (!existsSync(path)) throw new ConfigError(`--onnx ${path}: no such file`);
  const student = await openOnnxStudent(path, batchSize);
  try {
    const started = performance.now();
    const classes = student.classCount;
    const labels =
      classes === undefined
        ? undefined
        : Array.from({ length: count }, (_, index) => label ?? index % classes);
    const generated = await student.generate(
      normalLatents(count, student.sampleShape, seed),
      count,
      labels,
    );
    const seconds = (performance.now() - started) / 1000;
    // A Fashion-MNIST student draws 32x32 images around the dataset's 28x28, as a run's do.
    const fashionMnist =
      classes === 10 &&
      student.sampleShape.join(',') ===
        `${FASHION_MNIST_PADDED_SIZE},${FASHION_MNIST_PADDED_SIZE},1`;
    const shape = fashionMnist
      ? [count, FASHION_MNIST_SIZE, FASHION_MNIST_SIZE, 1]
      : [count, ...student.sampleShape];
    const flat = fashionMnist
      ? tf.tidy(
          () =>
            cropToDataset(
              tf.tensor4d(generated, [
                count,
                FASHION_MNIST_PADDED_SIZE,
                FASHION_MNIST_PADDED_SIZE,
                1,
              ]),
            ).dataSync() as Float32Array,
        )
      : generated;
    const sampleSize = flat.length / count;
    const samples = Array.from({ length: count }, (_, index) =>
      Array.from(flat.subarray(index * sampleSize, (index + 1) * sampleSize)),
    );
    const image = student.sampleShape.length === 3;
    if (/\.json$/i.test(out)) {
      writeFileAtomically(out, `${JSON.stringify({ networkEvaluations: 1, shape, samples })}\n`);
    } else if (/\.npz$/i.test(out)) {
      if (!image)
        throw new UsageError(`.npz is for image students; ${path} draws [${student.sampleShape}]`);
      writeFileAtomically(out, encodeSampleNpz(flat, shape, labels ?? new Array(count).fill(0)));
    } else if (student.sampleShape.length === 1 && student.sampleShape[0] === 2) {
      writeFileAtomically(
        out,
        scatterPlotPng(
          { teacher: [], student: samples },
          { title: 'one-step student (ONNX)', labels: { student: 'student' } },
        ),
      );
    } else if (image) {
      writeFileAtomically(out, sampleGridPng({ data: flat, shape }));
    } else {
      throw new UsageError(
        `samples of shape [${student.sampleShape}] have no picture: use --out FILE.json`,
      );
    }
    console.log(
      `wrote ${count} samples (1 network evaluation each, onnxruntime-node cpu, ${(count / seconds).toFixed(0)} samples/s) to ${out}`,
    );
    return 0;
  } finally {
    await student.release();
  }
}

/** Runs `fdistill sample`; returns the exit code. */
export async function sampleCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('sample', args, {
    run: { type: 'string' },
    onnx: { type: 'string' },
    'batch-size': { type: 'string' },
    n: { type: 'string', short: 'n' },
    teacher: { type: 'boolean', default: false },
    steps: { type: 'string' },
    threads: { type: 'string' },
    seed: { type: 'string' },
    label: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  });
  if (values.help) {
    console.log(SAMPLE_HELP);
    return 0;
  }
  if ((values.run === undefined) === (values.onnx === undefined)) {
    throw new UsageError('fdistill sample: give exactly one of --run DIR and --onnx FILE');
  }
  if (values.out === undefined || !/\.(png|json|npz)$/i.test(values.out)) {
    throw new UsageError('fdistill sample: --out FILE ending in .png, .json or .npz is required');
  }
  const label = numberFlag('label', values.label);
  const count = numberFlag('n', values.n) ?? 1000;
  if (values.threads !== undefined && !values.teacher) {
    throw new UsageError('--threads applies to --teacher (the teacher of an image run)');
  }
  const requestedThreads = threadsFlag(values.threads);
  if (values.onnx !== undefined) {
    const batchSize = numberFlag('batch-size', values['batch-size']) ?? 256;
    if (!(Number.isInteger(batchSize) && batchSize >= 1))
      throw new UsageError(`--batch-size must be an integer >= 1, got ${batchSize}`);
    return sampleOnnx(
      values.onnx,
      count,
      batchSize,
      numberFlag('seed', values.seed) ?? 0,
      values.out,
      label,
    );
  }
  if (values.run === undefined) throw new UsageError('fdistill sample: --run DIR is required');
  const steps = numberFlag('steps', values.steps) ?? 18;
  const givenSeed = numberFlag('seed', values.seed);
  if (!(Number.isInteger(count) && count >= 1))
    throw new UsageError(`-n must be an integer >= 1, got ${count}`);
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new UsageError(`--steps must be an integer >= 1, got ${steps}`);
  const { folder, config } = RunFolder.open(values.run);
  if (!values.teacher && !existsSync(folder.file('checkpoint'))) {
    throw new ConfigError(`${values.run} has no checkpoint to sample the student from`);
  }
  const backend = await selectCliBackend(values.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  if (config.preset === 'fashion-mnist') {
    return sampleImageRun({
      folder,
      config,
      count,
      seed: givenSeed ?? (values.teacher ? TEACHER_EVALUATION_SEED : config.seed),
      teacher: values.teacher === true,
      steps,
      threads: threadsOnBackend(requestedThreads, values.threads !== undefined, backend.name),
      ...(label === undefined ? {} : { label }),
      out: values.out,
    });
  }
  if (label !== undefined || values.threads !== undefined || /\.npz$/i.test(values.out))
    throw new UsageError(
      `--label, --threads and .npz are for image runs; ${config.preset} is a mixture`,
    );
  const seed = givenSeed ?? 0;
  const run = buildMixtureRunOfConfig(config);
  try {
    let networkEvaluations = 1;
    let samples: number[][];
    if (values.teacher) {
      const result = heunSampler(run.teacher, {
        steps,
        seed,
        shape: [count, run.teacher.dimension],
      });
      samples = (await result.samples.array()) as number[][];
      networkEvaluations = result.networkEvaluations;
      result.samples.dispose();
    } else {
      run.distiller.loadCheckpoint(checkpointFile(folder.file('checkpoint')));
      const generated = tf.tidy(() => {
        const latent = tf.tensor(normalLatents(count, [run.teacher.dimension], seed), [
          count,
          run.teacher.dimension,
        ]);
        return run.distiller.generate(latent, undefined, run.studentEma);
      });
      samples = (await generated.array()) as number[][];
      generated.dispose();
    }
    if (/\.json$/i.test(values.out)) {
      writeFileAtomically(values.out, `${JSON.stringify({ networkEvaluations, samples })}\n`);
    } else {
      const referenceSamples = tf.tidy(() => run.teacher.sample(count, seed + 1));
      const reference = (await referenceSamples.array()) as number[][];
      referenceSamples.dispose();
      const who = values.teacher
        ? `teacher, Heun ${steps} steps (${networkEvaluations} NFE)`
        : 'one-step student (1 NFE)';
      const png = scatterPlotPng(
        { teacher: reference, student: samples, modeCentres: run.teacher.means },
        {
          title: `${config.preset}: ${who}`,
          labels: { teacher: 'exact', student: values.teacher ? 'teacher' : 'student' },
        },
      );
      writeFileAtomically(values.out, png);
    }
    console.log(
      `wrote ${count} samples (${networkEvaluations} network evaluations each) to ${values.out}`,
    );
    return 0;
  } finally {
    run.dispose();
  }
}
