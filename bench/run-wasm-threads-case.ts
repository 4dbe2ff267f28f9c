/**
 * One set-up of `bench/wasm-threads.ts` (bench/wasm-threads-cases.ts), in its own process: reads
 * a `ThreadsCaseSpec` (JSON) from argv, sets up tfjs's 'wasm' backend as its configuration says,
 * always ending with `selectBackend('wasm')` (the project's kernels, the lean backward pass), times
 * the operations and the image-preset f-distill steps, writes each operation's output to
 * `outputFolder` (float32, `<configuration>-<operation>.f32`) and prints one `ThreadsCaseResult`
 * as JSON on the last line.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { convolutionKernels } from './convolution.js';
import { describeWasmBackend, registerThreadedWasm } from './threaded-wasm.js';
import { median, medianMs } from './timing.js';
import {
  FORWARD_SHAPE,
  GRADIENT_SHAPE,
  type LossKind,
  MATRIX_SIZE,
  OPERATIONS,
  POOL_THREADS,
  type ThreadsCaseResult,
  type ThreadsCaseSpec,
  type ThreadsConfiguration,
} from './wasm-threads-cases.js';
import { IMAGE_PRESET_WORKLOAD, imageWorkload } from './workloads.js';
import { backend } from './workspace.js';

/** Sets up the 'wasm' backend of `configuration`; what runs behind it, checked. */
async function setUpBackend(configuration: ThreadsConfiguration) {
  if (configuration === 'stock-pool') await registerThreadedWasm();
  if (configuration === 'two-thread-pool') await registerThreadedWasm(2 * POOL_THREADS);
  await backend.selectBackend('wasm');
  // Both idempotent: true / false here mean selectBackend had installed them.
  const projectKernels = backend.installWasmKernels();
  const leanGradients = backend.tfjsPatchSupport().supported && !backend.installLeanGradients();
  return { backend: describeWasmBackend(), projectKernels, leanGradients };
}

/** CPU time (clock ticks) of each thread of this process by thread id; undefined without /proc. */
function threadTicks(): Map<string, number> | undefined {
  try {
    const ticks = new Map<string, number>();
    for (const thread of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
      // Fields after the parenthesized name: state is the 3rd field, utime the 14th, stime the
      // 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(thread, Number(fields[11]) + Number(fields[12]));
    }
    return ticks;
  } catch {
    return undefined;
  }
}

/** The busiest other thread's CPU time over the main thread's between two `threadTicks()`. */
function helperThreadShare(
  before: Map<string, number> | undefined,
  after: Map<string, number> | undefined,
): number | null {
  if (before === undefined || after === undefined) return null;
  const spent = (thread: string) => (after.get(thread) ?? 0) - (before.get(thread) ?? 0);
  const main = spent(String(process.pid));
  if (main <= 0) return null;
  let busiest = 0;
  for (const thread of after.keys()) {
    if (thread !== String(process.pid)) busiest = Math.max(busiest, spent(thread));
  }
  return busiest / main;
}

/** Products of `MATRIX_SIZE` matrices run while `helperThreadCpuShare` watches the threads. */
const WATCHED_PRODUCTS = 40;

/**
 * Whether a thread besides the main one computes: `helperThreadShare` over `WATCHED_PRODUCTS`
 * matrix products (after one that creates the XNNPACK operator), whatever `--iterations` says.
 */
function helperThreadCpuShare(): number | null {
  const left = tf.randomNormal([MATRIX_SIZE, MATRIX_SIZE], 0, 1, 'float32', 1);
  const right = tf.randomNormal([MATRIX_SIZE, MATRIX_SIZE], 0, 1, 'float32', 2);
  tf.dispose(tf.matMul(left, right));
  const before = threadTicks();
  for (let i = 0; i < WATCHED_PRODUCTS; i++) tf.dispose(tf.matMul(left, right));
  const share = helperThreadShare(before, threadTicks());
  tf.dispose([left, right]);
  return share;
}

/** Times each operation and writes its output (float32) to `spec.outputFolder`. */
async function timeOperations(spec: ThreadsCaseSpec): Promise<Record<string, number>> {
  const left = tf.randomNormal([MATRIX_SIZE, MATRIX_SIZE], 0, 1, 'float32', 1);
  const right = tf.randomNormal([MATRIX_SIZE, MATRIX_SIZE], 0, 1, 'float32', 2);
  const forward = convolutionKernels(FORWARD_SHAPE);
  const gradients = convolutionKernels(GRADIENT_SHAPE);
  const compute: Record<(typeof OPERATIONS)[number]['key'], () => tf.Tensor> = {
    matMul: () => tf.matMul(left, right),
    conv2dForward: forward.forward,
    conv2dInputGradient: gradients.inputGradient,
    conv2dFilterGradient: gradients.filterGradient,
  };
  const milliseconds: Record<string, number> = {};
  for (const { key } of OPERATIONS) {
    const run = compute[key];
    milliseconds[key] = await medianMs(
      async () => tf.dispose(run()),
      spec.operationWarmup,
      spec.operationIterations,
    );
    const output = run();
    const values = (await output.data()) as Float32Array;
    writeFileSync(join(spec.outputFolder, `${spec.configuration}-${key}.f32`), values);
    output.dispose();
  }
  tf.dispose([left, right]);
  forward.dispose();
  gradients.dispose();
  return milliseconds;
}

/**
 * Image-preset f-distill steps (bench/workloads.ts, as bench/run-case.ts times them): steps
 * alternate generator / critic (tau = 2); then updates of the warm start's regression on 256
 * seeded pairs (as bench/run-case.ts times them). Each kind's median over its timed steps, and
 * the losses of every step.
 */
async function timeDistill(spec: ThreadsCaseSpec) {
  const workload = imageWorkload(IMAGE_PRESET_WORKLOAD);
  const timed = { generator: [] as number[], critic: [] as number[], regression: [] as number[] };
  const losses: Record<LossKind, number[]> = { generator: [], critic: [], regression: [] };
  const distiller = workload.distiller;
  for (let i = 0; i < 2 * (spec.distillWarmup + spec.distillIterations); i++) {
    const start = performance.now();
    const event = await distiller.step();
    const elapsed = performance.now() - start;
    if (i >= 2 * spec.distillWarmup) timed[event.phase].push(elapsed);
    losses[event.phase].push(...Object.values(event.losses));
  }
  const [size, , channels] = distiller.data.sampleShape as [number, number, number];
  const pairs = {
    latents: tf.randomNormal([256, size, size, channels], 0, 1, 'float32', 1),
    targets: tf.randomUniform([256, size, size, channels], -1, 1, 'float32', 2),
  };
  for (let i = 0; i < spec.distillWarmup + spec.distillIterations; i++) {
    const start = performance.now();
    const loss = await distiller.regressStudentOnPairs(pairs, { steps: 1, learningRate: 1e-5 });
    const elapsed = performance.now() - start;
    if (i >= spec.distillWarmup) timed.regression.push(elapsed);
    losses.regression.push(loss);
  }
  tf.dispose(Object.values(pairs));
  workload.dispose();
  const generator = median(timed.generator);
  const critic = median(timed.critic);
  const regression = median(timed.regression);
  return { milliseconds: { iteration: generator + critic, generator, critic, regression }, losses };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] as string) as ThreadsCaseSpec;
  const setUp = await setUpBackend(spec.configuration);
  const helperShare = helperThreadCpuShare();
  const operations = await timeOperations(spec);
  const distill = await timeDistill(spec);
  const result: ThreadsCaseResult = {
    configuration: spec.configuration,
    ...setUp,
    milliseconds: { ...operations, ...distill.milliseconds },
    losses: distill.losses,
    helperThreadCpuShare: helperShare,
  };
  console.log(JSON.stringify(result));
  // The threaded build's idle pthread workers would keep the process alive.
  process.exit(0);
}

await main();
