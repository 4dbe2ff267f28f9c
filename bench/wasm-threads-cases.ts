/**
 * What `bench/wasm-threads.ts` measures and what its children (bench/run-wasm-threads-case.ts)
 * report: the configurations of the 'wasm' backend, the timed operations and f-distill cases.
 */
import { CONVOLUTION_SHAPES, type ConvolutionShape } from './cases.js';
import type { WasmBackendDescription } from './threaded-wasm.js';
import { IMAGE_PRESET_WORKLOAD } from './workloads.js';

/**
 * How the 'wasm' backend is set up: tfjs-backend-wasm's threaded SIMD build with the pool it gets
 * by default (`stock-pool`: half the cores, 1 thread on 2), the same build with `os.cpus()`
 * reporting twice `POOL_THREADS` cores while it starts (`two-thread-pool`), or
 * `selectBackend('wasm')` alone (`select-backend`: the SIMD build without threads, as the CLI
 * runs).
 */
export type ThreadsConfiguration = 'stock-pool' | 'two-thread-pool' | 'select-backend';

/** Threads of the `two-thread-pool` configuration's XNNPACK pool. */
export const POOL_THREADS = 2;

/** What one child process runs. */
export interface ThreadsCaseSpec {
  configuration: ThreadsConfiguration;
  operationWarmup: number;
  operationIterations: number;
  /** Untimed generator + critic step pairs (and regression updates) before the timed ones. */
  distillWarmup: number;
  /** Timed generator + critic step pairs, and timed regression updates. */
  distillIterations: number;
  /** Where each operation's output is written, as `<configuration>-<operation key>.f32`. */
  outputFolder: string;
}

/** What a child reports. */
export interface ThreadsCaseResult {
  configuration: ThreadsConfiguration;
  backend: WasmBackendDescription;
  /** Whether the project's wasm kernels are installed (`installWasmKernels()`). */
  projectKernels: boolean;
  /** Whether `selectBackend` had installed the lean backward pass (`installLeanGradients`). */
  leanGradients: boolean;
  /** Median milliseconds by case key (`OPERATIONS`, `DISTILL_CASES`). */
  milliseconds: Record<string, number>;
  /**
   * The losses of every f-distill step and regression update taken, warm-up included, by kind,
   * in order.
   */
  losses: Record<LossKind, number[]>;
  /**
   * CPU time of the busiest thread besides the main one over the main thread's, while 40
   * 512x512 products ran (Linux, from /proc/self/task; null elsewhere): near 0 when only the main
   * thread computes (V8's helper threads barely run), near 1 when a pool thread shares the work
   * (its spinning while it waits for work counts too).
   */
  helperThreadCpuShare: number | null;
}

/** The convolution whose forward pass is timed: [4, 64, 64, 32] images, a 3x3 32 -> 32 filter. */
export const FORWARD_SHAPE: ConvolutionShape = {
  label: '3x3 s1 32->32 @64 b4',
  batch: 4,
  size: 64,
  inChannels: 32,
  outChannels: 32,
  kernel: 3,
  stride: 1,
  padding: 1,
};

/** The convolution whose gradients are timed: the bench's 3x3 32 -> 32 at 32x32, batch 16. */
export const GRADIENT_SHAPE = CONVOLUTION_SHAPES.find(
  (shape) => shape.label === '3x3 s1 32->32 @32 b16',
) as ConvolutionShape;

/** Side of the square matrices of the timed product. */
export const MATRIX_SIZE = 512;

/** The timed operations: a key (file names, JSON) and what the table calls them. */
export const OPERATIONS = [
  { key: 'matMul', name: `matMul ${MATRIX_SIZE}x${MATRIX_SIZE}x${MATRIX_SIZE}` },
  {
    key: 'conv2dForward',
    name: `conv2d forward [${FORWARD_SHAPE.batch},${FORWARD_SHAPE.size},${FORWARD_SHAPE.size},${FORWARD_SHAPE.inChannels}]x[${FORWARD_SHAPE.kernel},${FORWARD_SHAPE.kernel},${FORWARD_SHAPE.inChannels},${FORWARD_SHAPE.outChannels}]`,
  },
  { key: 'conv2dInputGradient', name: `conv2d input gradient ${GRADIENT_SHAPE.label}` },
  { key: 'conv2dFilterGradient', name: `conv2d filter gradient ${GRADIENT_SHAPE.label}` },
] as const;

const distillLabel = `image preset U-Net (base ${IMAGE_PRESET_WORKLOAD.baseChannels}) b${IMAGE_PRESET_WORKLOAD.batchSize}:`;

/** The timed f-distill cases (as bench/run-bench.ts names them), and which losses check each. */
export const DISTILL_CASES = [
  {
    key: 'iteration',
    name: `${distillLabel} f-distill iteration (1 generator + 1 critic step)`,
    losses: ['generator', 'critic'],
  },
  { key: 'generator', name: `${distillLabel} generator step`, losses: ['generator'] },
  { key: 'critic', name: `${distillLabel} critic step`, losses: ['critic'] },
  {
    key: 'regression',
    name: `${distillLabel} warm-start regression update`,
    losses: ['regression'],
  },
] as const;

/** The kinds of losses a child reports: f-distill's two step kinds and the warm start's. */
export type LossKind = 'generator' | 'critic' | 'regression';
