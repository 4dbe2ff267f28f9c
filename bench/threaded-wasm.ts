/**
 * tfjs-backend-wasm's threaded SIMD build in Node, where tfjs never starts it
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false under Node): its Emscripten module is created here, by
 * hand, as `init()` of tfjs-backend-wasm 4.22 (dist/backend_wasm.js) creates it in a browser,
 * and registered as tfjs's 'wasm' backend, so that `selectBackend('wasm')` then sets it up exactly
 * as it sets up the stock one (the project's kernels, the lean backward pass).
 *
 * The size of its XNNPACK thread pool is capped at half of `emscripten_num_logical_cores()`
 * (src/cc/backend.cc), which the Node glue reads as `require('os').cpus().length`, once, while the
 * module starts: on 2 cores the pool has 1 thread whatever `setThreadsCount` asks.
 * `reportedCores` makes `os.cpus()` report more cores while the module starts, so that the pool
 * gets `reportedCores / 2` threads (at most 8).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
// Typed in @fdistill/backend's sources (tsx runs them).
import { webAssembly } from '../packages/backend/src/kernels/webassembly-api.js';

/** The parts of the threaded build's Emscripten module used here and by `BackendWasm`. */
interface ThreadedModule {
  cwrap(
    name: string,
    returnType: 'number' | null,
    argumentTypes: string[],
  ): (...args: number[]) => number;
  /** Emscripten's pthreads: a worker per thread, 8 preloaded before the module resolves. */
  PThread: { runningWorkers: unknown[]; unusedWorkers: unknown[] };
  /** The module's exports: no `memory` in the threaded build, which imports a shared one. */
  asm: { memory?: unknown };
  /** The threaded build's shared memory, created by its glue. */
  wasmMemory?: unknown;
  /** What tfjs-backend-wasm's `init()` adds: the C entry points `BackendWasm` calls. */
  tfjs?: Record<string, (...args: number[]) => number>;
}

/** What an Emscripten module factory of tfjs-backend-wasm takes (its wasm-out d.ts files). */
interface ModuleFactoryConfig {
  locateFile(path: string, prefix: string): string;
  /** The script each pthread's worker evaluates to create its copy of the module. */
  mainScriptUrlOrBlob: string;
}

/** The exports of tfjs-backend-wasm used here. */
export interface WasmBackendPackage {
  BackendWasm: new (module: ThreadedModule) => tf.KernelBackend;
  /** The XNNPACK pool's size of the last `BackendWasm` constructed. */
  getThreadsCount(): number;
}

/** What runs behind tfjs's 'wasm' backend. */
export interface WasmBackendDescription {
  /** tfjs-backend-wasm's build: `'threaded SIMD'` (pthreads) or `'SIMD'` (Node's stock one). */
  build: 'threaded SIMD' | 'SIMD';
  /** tfjs-backend-wasm's `getThreadsCount()`: the size of the XNNPACK pool. */
  threadsCount: number;
  /** Pthreads running: the pool's threads besides the calling one. */
  runningThreads: number;
  /**
   * Whether the module exposes the memory the project's SIMD loops (`Add`, `Sub`, `Multiply`,
   * `RealDiv` with broadcasting, `Sum`, `Mean`) are instantiated on: exported by the SIMD build,
   * shared by the threaded build's glue (`wasmMemory`). Without it those kernels hand every call
   * to tfjs's own.
   */
  simdLoops: boolean;
}

/** Resolves tfjs-backend-wasm as @fdistill/backend does (the bench does not depend on it). */
const requireFromBackend = createRequire(
  new URL('../packages/backend/package.json', import.meta.url),
);

/**
 * tfjs-backend-wasm as `selectBackend` imports it: the same module instance, so the same kernel
 * registrations and thread count.
 *
 * @example wasmBackendPackage().getThreadsCount();
 */
export function wasmBackendPackage(): WasmBackendPackage {
  return requireFromBackend('@tensorflow/tfjs-backend-wasm') as WasmBackendPackage;
}

/**
 * Creates the threaded SIMD module, with `os.cpus()` reporting `reportedCores` cores while it
 * starts (the real count when undefined), and registers a factory for the 'wasm' backend that
 * wraps it in tfjs-backend-wasm's `BackendWasm`. Call it before `selectBackend('wasm')`, which
 * then constructs the backend, installs the project's kernels and the lean backward pass.
 *
 * @example
 * await registerThreadedWasm(4);
 * await backend.selectBackend('wasm');
 * describeWasmBackend().threadsCount; // 2
 */
export async function registerThreadedWasm(reportedCores?: number): Promise<void> {
  const wasmPackage = wasmBackendPackage();
  const outputFolder = join(
    dirname(requireFromBackend.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'wasm-out',
  );
  const mainScript = join(outputFolder, 'tfjs-backend-wasm-threaded-simd.js');
  const createModule = requireFromBackend(mainScript) as (
    config: ModuleFactoryConfig,
  ) => Promise<ThreadedModule>;
  // The pthread workers' script, as tfjs ships it (a string), in a file a worker_threads Worker
  // can load; newlines inside its string literals escaped, as tfjs's init() escapes them.
  const { wasmWorkerContents } = requireFromBackend(
    join(outputFolder, 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents: string };
  const workerFolder = mkdtempSync(join(os.tmpdir(), 'fdistill-wasm-threads-'));
  process.on('exit', () => rmSync(workerFolder, { recursive: true, force: true }));
  const workerScript = join(workerFolder, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  writeFileSync(workerScript, wasmWorkerContents.replace(/\n/g, '\\n'));
  // The module reads the core count while it starts (before it resolves), not when the backend
  // is constructed: the override covers its start.
  const module = await withReportedCores(reportedCores, () =>
    createModule({
      locateFile: (path) => (path.endsWith('.worker.js') ? workerScript : join(outputFolder, path)),
      mainScriptUrlOrBlob: mainScript,
    }),
  );
  // The C entry points, wrapped as tfjs-backend-wasm's init() wraps them.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => new wasmPackage.BackendWasm(module));
}

/**
 * What runs behind the current 'wasm' backend (after `selectBackend('wasm')`).
 *
 * @example await backend.selectBackend('wasm'); describeWasmBackend().threadsCount; // 1
 */
export function describeWasmBackend(): WasmBackendDescription {
  const module = (tf.findBackend('wasm') as unknown as { wasm: Partial<ThreadedModule> }).wasm;
  return {
    build: module.PThread === undefined ? 'SIMD' : 'threaded SIMD',
    threadsCount: wasmBackendPackage().getThreadsCount(),
    runningThreads: module.PThread?.runningWorkers.length ?? 0,
    simdLoops:
      module.asm?.memory instanceof webAssembly.Memory ||
      module.wasmMemory instanceof webAssembly.Memory,
  };
}

/**
 * Awaits `run` with `os.cpus()` reporting `count` cores (the real ones, repeated), then restores
 * it; `run` alone when `count` is undefined.
 */
async function withReportedCores<T>(count: number | undefined, run: () => Promise<T>): Promise<T> {
  if (count === undefined) return run();
  const cpus = os.cpus;
  const real = cpus();
  os.cpus = () =>
    Array.from({ length: count }, (_, index) => real[index % real.length] as os.CpuInfo);
  try {
    return await run();
  } finally {
    os.cpus = cpus;
  }
}
