/**
 * Our side of one benchmark case, in its own process (so that its peak RSS is its own): reads a
 * `CaseSpec` (JSON) from argv, selects the backend, installs the project's wasm kernels the way
 * the CLI does, warms up, times, and prints one `CaseResult` as JSON on the last line.
 */
import * as tf from '@tensorflow/tfjs';
import type { CaseResult, CaseSpec } from './cases.js';
import { convolutionKernels } from './convolution.js';
import { median, medianMs } from './timing.js';
import { imageWorkload, mixtureWorkload, teacherWorkload } from './workloads.js';
import { BACKEND_MODULE, backend, trainerNode } from './workspace.js';

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
  shards?.dispose();
  workload.dispose();
  return {
    generatorMs: median(timed.generator),
    criticMs: median(timed.critic),
    peakTensorMb: peak,
  };
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
