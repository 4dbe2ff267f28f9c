/**
 * Our side of one benchmark case, in its own process (so that its peak RSS is its own): reads a
 * `CaseSpec` (JSON) from argv, selects the backend, installs the project's wasm kernels the way
 * the CLI does, warms up, times, and prints one `CaseResult` as JSON on the last line.
 */
import * as tf from '@tensorflow/tfjs';
import type { CaseResult, CaseSpec } from './cases.js';
import { convolutionKernels } from './convolution.js';
import { median, medianMs } from './timing.js';
import { imageWorkload, mixtureWorkload, samplerWorkload, teacherWorkload } from './workloads.js';
import { BACKEND_MODULE, backend, type trainer, trainerNode } from './workspace.js';

/** The largest total size of live tensors while `run` runs, in MB. */
async function peakTensorMb(run: () => unknown): Promise<number> {
  const info = await tf.profile(async () => {
    await run();
  });
  return info.peakBytes / 2 ** 20;
}

async function distillCase(spec: Extract<CaseSpec, { kind: 'distill-2d' | 'distill-image' }>) {
  const workload = spec.kind === 'distill-2d' ? mixtureWorkload() : imageWorkload(spec.config);
  // More than one thread: helper threads take slices of each step (startDistillWorkers).
  const shards =
    spec.threads > 1
      ? await trainerNode.startDistillWorkers({
          distiller: workload.distiller,
          helpers: spec.threads - 1,
          imports: [import.meta.resolve('@tensorflow/tfjs')],
          backend: { module: BACKEND_MODULE, name: spec.backend },
        })
      : undefined;
  workload.distiller.shareWork(shards);
  // Steps alternate generator / critic (tau = 2); time each kind on its own steps.
  const timed = { generator: [] as number[], critic: [] as number[] };
  for (let i = 0; i < 2 * (spec.warmup + spec.iterations); i++) {
    const start = performance.now();
    const kind = await workload.step();
    const elapsed = performance.now() - start;
    if (i >= 2 * spec.warmup) timed[kind].push(elapsed);
  }
  let peak = 0;
  for (let i = 0; i < 2; i++) {
    peak = Math.max(peak, await peakTensorMb(() => workload.step()));
  }
  // The warm start's regression runs on this thread only: timed on one-thread runs.
  const regressionMs =
    spec.kind === 'distill-image' && spec.threads === 1
      ? await regressionUpdateMs(workload.distiller, spec)
      : undefined;
  shards?.dispose();
  workload.dispose();
  return {
    generatorMs: median(timed.generator),
    criticMs: median(timed.critic),
    ...(regressionMs === undefined ? {} : { regressionMs }),
    peakTensorMb: peak,
  };
}

/**
 * The median time of one update of the image warm start's regression (`regressStudentOnPairs`)
 * on 256 random pairs.
 */
async function regressionUpdateMs(
  distiller: trainer.Distiller,
  spec: Extract<CaseSpec, { kind: 'distill-image' }>,
): Promise<number> {
  const [size, , channels] = distiller.data.sampleShape as [number, number, number];
  const pairs = {
    latents: tf.randomNormal([256, size, size, channels], 0, 1, 'float32', 1),
    targets: tf.randomUniform([256, size, size, channels], -1, 1, 'float32', 2),
  };
  const update = () => distiller.regressStudentOnPairs(pairs, { steps: 1, learningRate: 1e-5 });
  const milliseconds = await medianMs(update, spec.warmup, spec.iterations);
  tf.dispose(Object.values(pairs));
  return milliseconds;
}

/** One teacher-training step (denoising score matching, AdamW, EMA), median of the timed steps. */
async function teacherCase(spec: Extract<CaseSpec, { kind: 'teacher-image' }>) {
  const workload = teacherWorkload(spec.config);
  // More than one thread: helper threads take slices of each batch (startGradientWorkers).
  const shards =
    spec.threads > 1
      ? await trainerNode.startGradientWorkers({
          network: workload.network,
          helpers: spec.threads - 1,
          imports: [import.meta.resolve('@tensorflow/tfjs')],
          backend: { module: BACKEND_MODULE, name: spec.backend },
        })
      : undefined;
  workload.trainer.shareWork(shards);
  const stepMs = await medianMs(() => workload.step(), spec.warmup, spec.iterations);
  const peak = await peakTensorMb(() => workload.step());
  shards?.dispose();
  workload.dispose();
  return { stepMs, peakTensorMb: peak };
}

/**
 * The teacher's Heun sampler (18 steps, unguided) on one chunk of noise per thread, solved at
 * once (`startSamplerWorkers` beyond one thread); the median per image.
 */
async function samplerCase(spec: Extract<CaseSpec, { kind: 'sampler-image' }>) {
  const teacher = samplerWorkload(spec.config);
  const { imageSize, channels } = spec.config;
  const shape = [spec.chunk, imageSize, imageSize, channels];
  const chunks = Array.from({ length: spec.threads }, (_, index) => ({
    noise: tf.tidy(() =>
      tf.randomNormal(shape, 0, 1, 'float32', index + 1).dataSync(),
    ) as Float32Array,
    shape,
    steps: 18,
    guidanceScale: 1,
  }));
  const samplers =
    spec.threads > 1
      ? await trainerNode.startSamplerWorkers({
          teacher,
          helpers: spec.threads - 1,
          imports: [import.meta.resolve('@tensorflow/tfjs')],
          backend: { module: BACKEND_MODULE, name: spec.backend },
        })
      : undefined;
  const solve = async () =>
    samplers
      ? await samplers.solve(chunks)
      : chunks.map((chunk) => trainerNode.solveChunk(teacher, chunk));
  const milliseconds = await medianMs(solve, spec.warmup, spec.iterations);
  const peak = await peakTensorMb(solve);
  samplers?.dispose();
  teacher.dispose();
  return { sampleMs: milliseconds / (spec.chunk * spec.threads), peakTensorMb: peak };
}

/** Forward, input gradient and filter gradient of one convolution, kernel by kernel. */
async function convolutionCase(spec: Extract<CaseSpec, { kind: 'conv' }>) {
  const { forward, inputGradient, filterGradient, dispose } = convolutionKernels(spec.shape);
  const timeOf = (compute: () => tf.Tensor) =>
    medianMs(async () => tf.dispose(compute()), spec.warmup, spec.iterations);
  const result = {
    forwardMs: await timeOf(forward),
    inputGradientMs: await timeOf(inputGradient),
    filterGradientMs: await timeOf(filterGradient),
    peakTensorMb: await peakTensorMb(() =>
      tf.dispose([forward(), inputGradient(), filterGradient()]),
    ),
  };
  dispose();
  return result;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] as string) as CaseSpec;
  // As the CLI does: @fdistill/backend loads the backend and, on wasm, installs its kernels.
  await backend.selectBackend(spec.backend as 'wasm' | 'cpu');
  if (spec.backend === 'wasm' && !backend.installWasmKernels()) {
    throw new Error('the project wasm kernels could not be installed');
  }
  const timings =
    spec.kind === 'conv'
      ? await convolutionCase(spec)
      : spec.kind === 'teacher-image'
        ? await teacherCase(spec)
        : spec.kind === 'sampler-image'
          ? await samplerCase(spec)
          : await distillCase(spec);
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8;
  const result: CaseResult = {
    ...timings,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    ...(heap === undefined ? {} : { wasmHeapMb: heap.length / 2 ** 20 }),
  };
  console.log(JSON.stringify(result));
}

await main();
