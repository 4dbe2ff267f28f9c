import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadImageTeacher } from '../build-run.js';
import { measureRun } from '../distill-run.js';
import { checkClassifierFile } from '../evaluate-image.js';
import {
  evaluateSampleSet,
  formatSampleSetEvaluation,
  sampleSetEvaluationJson,
} from '../evaluate-samples.js';
import { checkFashionMnistFiles, FASHION_MNIST_PATH } from '../fashion-mnist.js';
import type { LabelledImages } from '../labelled-images.js';
import { ConfigError } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { readSampleFile } from '../sample-file.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { teacherOfRunFolder } from '../teacher-run-snapshot.js';
import { cachedTeacherSamples } from '../teacher-sample-cache.js';
import {
  numberFlag,
  parseCommandArgs,
  threadsFlag,
  threadsOnBackend,
  UsageError,
} from '../usage-error.js';

/** `fdistill eval --help`. */
export const EVAL_HELP = `fdistill eval: measure a run's student again from its checkpoint, or any set of samples

Usage: fdistill eval --run DIR [-n N] [--threads N] [--backend NAME]
       fdistill eval --samples FILE.npz|FOLDER [--classifier F.onnx] [--json] [--data-path DIR]
       fdistill eval --teacher FILE.safetensors [-n N] [--guidance S] [--threads N] [--classifier F.onnx] [--json] [--data-path DIR]

  --run DIR      a run folder written by fdistill distill
  -n N           samples from teacher and student (default: the run's evaluationSamples;
                 --teacher: 2000)
                 fashion-mnist: domain-FID, precision/recall, classes and label accuracy of the
                 student (1 NFE), the teacher (35 NFE) and as many real training images, with
                 the shipped classifier against the 10,000 test images
  --samples P    Fashion-MNIST-like images from anywhere: an .npz with uint8 samples (or images,
                 arr_0) [N, 28, 28, 1] and optional labels (or arr_1), or a folder of PNGs (class
                 subfolders 0..9 give labels); scored beside N real training images
  --teacher F    a Fashion-MNIST teacher (teacher.safetensors, or a teacher run folder: the EMA
                 network of its last checkpoint): its Heun samples (35 NFE, cached per teacher
                 weights, guidance and N) scored beside N real training images
  --guidance S   --teacher: classifier-free guidance scale of its sampler (default 1: none; the
                 fashion-mnist preset distills the teacher at its guidanceScale)
  --threads N    --run, --teacher: threads that draw the teacher's samples when they are not
                 cached yet (default: every core, ${availableParallelism()} here); the samples are the same
                 on any number
  --classifier F --samples, --teacher: score with this ONNX classifier instead of the shipped
                 one (input images [N, 28, 28, 1] in [-1, 1], outputs features and logits, as
                 packages/cli/models/README.md describes), e.g. one trained with its floor
                 images held out (the repository's
                 packages/cli/scripts/train-fashion-classifier.ts --held-out 2000)
  --json         print the measures as JSON instead of a table (--samples, --teacher)
  --data-path    folder with the Fashion-MNIST IDX files (default ${FASHION_MNIST_PATH})
  --backend      auto | tensorflow-gpu | tensorflow | wasm | cpu

--run rewrites summary.json and samples.png in the run folder and prints the summary.`;

/** The training run's wall seconds and threads from an existing summary.json, as far as it has them. */
function trainingRecord(folder: RunFolder): { wallSeconds?: number; threads?: number } {
  if (!existsSync(folder.file('summary'))) return {};
  try {
    const previous = JSON.parse(readFileSync(folder.file('summary'), 'utf8')) as {
      wallSeconds?: unknown;
      threads?: unknown;
    };
    return {
      ...(typeof previous.wallSeconds === 'number' ? { wallSeconds: previous.wallSeconds } : {}),
      ...(typeof previous.threads === 'number' ? { threads: previous.threads } : {}),
    };
  } catch {
    return {};
  }
}

/** `fdistill eval --samples` or `--teacher`: one set of images beside real data. */
async function evaluateSamplesCommand(options: {
  samples: string | undefined;
  teacher: string | undefined;
  count: number | undefined;
  guidanceScale: number | undefined;
  /** `--classifier`: the ONNX classifier to score with, if not the shipped one. */
  classifierPath: string | undefined;
  json: boolean;
  dataPath: string;
  backend: string;
  /** `--threads` as given, if given. */
  threads: string | undefined;
}): Promise<number> {
  const { samples, teacher, count, json, dataPath } = options;
  if (samples !== undefined && count !== undefined) {
    throw new UsageError('-n applies to --run and --teacher; --samples scores every image given');
  }
  if (samples !== undefined && options.threads !== undefined) {
    throw new UsageError('--threads applies to --run and --teacher (they draw teacher samples)');
  }
  const requestedThreads = threadsFlag(options.threads);
  if (count !== undefined && !(Number.isInteger(count) && count >= 4)) {
    throw new UsageError(`-n must be an integer >= 4, got ${count}`);
  }
  const { guidanceScale } = options;
  if (guidanceScale !== undefined && teacher === undefined) {
    throw new UsageError('--guidance applies to --teacher');
  }
  if (guidanceScale !== undefined && !(guidanceScale > 0 && Number.isFinite(guidanceScale))) {
    throw new UsageError(`--guidance must be a number > 0, got ${guidanceScale}`);
  }
  checkFashionMnistFiles(dataPath, 'train');
  checkFashionMnistFiles(dataPath, 'test');
  const { classifierPath } = options;
  if (classifierPath !== undefined) {
    if (!statSync(classifierPath, { throwIfNoEntry: false })?.isFile()) {
      throw new UsageError(
        `--classifier must be an ONNX file, got ${classifierPath} (no such file)`,
      );
    }
    await checkClassifierFile(classifierPath);
  }
  let images: LabelledImages;
  let name: string;
  if (samples !== undefined) {
    images = await readSampleFile(samples);
    name = 'samples';
  } else {
    const backend = await selectCliBackend(options.backend);
    console.error(`backend: ${backend.name} (${backend.reason})`);
    const threads = threadsOnBackend(requestedThreads, options.threads !== undefined, backend.name);
    const network = statSync(teacher as string, { throwIfNoEntry: false })?.isDirectory()
      ? teacherOfRunFolder(teacher as string)
      : loadImageTeacher(teacher as string);
    try {
      const drawn = await cachedTeacherSamples(network, count ?? 2000, {
        guidanceScale: guidanceScale ?? 1,
        threads,
        report: (line) => console.error(line),
      });
      images = drawn.samples;
      const guidance = guidanceScale === undefined ? '' : `, guidance ${guidanceScale}`;
      name = `teacher (${drawn.networkEvaluations} NFE${guidance})`;
    } finally {
      network.dispose();
    }
  }
  const evaluation = await evaluateSampleSet(images, dataPath, classifierPath);
  console.log(
    json
      ? JSON.stringify(sampleSetEvaluationJson(evaluation), null, 2)
      : formatSampleSetEvaluation(evaluation, name),
  );
  return 0;
}

/** Runs `fdistill eval`; returns the exit code. */
export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('eval', args, {
    run: { type: 'string' },
    n: { type: 'string', short: 'n' },
    backend: { type: 'string', default: 'auto' },
    samples: { type: 'string' },
    teacher: { type: 'string' },
    guidance: { type: 'string' },
    classifier: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
    'data-path': { type: 'string', default: FASHION_MNIST_PATH },
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const sources = [values.run, values.samples, values.teacher].filter((value) => value);
  if (sources.length !== 1) {
    throw new UsageError('fdistill eval: give exactly one of --run DIR, --samples P, --teacher F');
  }
  if (values.samples !== undefined || values.teacher !== undefined) {
    return evaluateSamplesCommand({
      samples: values.samples,
      teacher: values.teacher,
      count: numberFlag('n', values.n),
      guidanceScale: numberFlag('guidance', values.guidance),
      classifierPath: values.classifier,
      json: values.json as boolean,
      dataPath: values['data-path'] as string,
      backend: values.backend as string,
      threads: values.threads,
    });
  }
  if (values.guidance !== undefined) {
    throw new UsageError(
      '--guidance applies to --teacher (a run is measured at its config guidanceScale)',
    );
  }
  if (values.classifier !== undefined) {
    throw new UsageError(
      '--classifier applies to --samples and --teacher (a run is measured with the shipped classifier); score a run with another one through fdistill sample --run DIR -n 2000 --out s.npz, then --samples s.npz',
    );
  }
  if (values.run === undefined) throw new UsageError('fdistill eval: --run DIR is required');
  const { folder, config } = RunFolder.open(values.run);
  if (!existsSync(folder.file('checkpoint')))
    throw new ConfigError(`${values.run} has no checkpoint to evaluate`);
  const count = numberFlag('n', values.n);
  if (count !== undefined && !(Number.isInteger(count) && count >= 4)) {
    throw new UsageError(`-n must be an integer >= 4, got ${count}`);
  }
  const requestedThreads = threadsFlag(values.threads);
  const backend = await selectCliBackend(values.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const samplerThreads = threadsOnBackend(
    requestedThreads,
    values.threads !== undefined,
    backend.name,
  );
  const started = performance.now();
  const evaluationConfig = { ...config, evaluationSamples: count ?? config.evaluationSamples };
  const training = trainingRecord(folder);
  const { table } = await measureRun({
    config: evaluationConfig,
    folder,
    backend: backend.name,
    ...(training.threads === undefined ? {} : { threads: training.threads }),
    samplerThreads,
    wallSeconds: () => training.wallSeconds ?? (performance.now() - started) / 1000,
  });
  console.log(table);
  return 0;
}
