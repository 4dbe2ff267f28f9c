import * as tf from '@tensorflow/tfjs-core';
import { installWasmKernels } from './install-wasm-kernels.js';
import { installWebGpuKernels } from './install-webgpu-kernels.js';
import { installLeanGradients } from './lean-gradients.js';
import { installNodeWebGpu, nodeWebGpu } from './node-webgpu.js';
import { refuseSynchronousGpuReads } from './refuse-synchronous-gpu-reads.js';
import { softwareWebGlRenderer } from './software-webgl.js';
import {
  requestWebGpuAdapter,
  type WebGpuAdapterDescription,
  type WebGpuLike,
  webGpuAdapterLine,
} from './webgpu-adapter.js';

/** Every tfjs backend `selectBackend` knows. */
export const BACKEND_NAMES = [
  'tensorflow-gpu',
  'tensorflow',
  'webgpu',
  'webgl',
  'wasm',
  'cpu',
] as const;

/** A tfjs backend, by the name `selectBackend` takes. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The order `'auto'` tries in Node: fastest first (webgpu only on a hardware adapter). */
export const NODE_BACKEND_ORDER: readonly BackendName[] = [
  'tensorflow-gpu',
  'tensorflow',
  'webgpu',
  'wasm',
  'cpu',
];

/** The order `'auto'` tries in a browser: fastest first. */
export const BROWSER_BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /**
   * Where the browser fetches tfjs-backend-wasm's `.wasm` files: a folder URL ending in `/`, or
   * a map from file name to URL (tfjs-backend-wasm's `setWasmPaths`). Node finds them itself.
   */
  wasmPaths?: string | Record<string, string>;
}

/** The backend that runs, why it was chosen, and why each faster one was skipped. */
export interface BackendChoice {
  name: BackendName;
  reason: string;
  failures: BackendFailures;
  /** The WebGPU adapter, when the backend is webgpu. */
  adapter?: WebGpuAdapterDescription;
}

/** Why a backend could not be loaded, by backend. */
export type BackendFailures = Partial<Record<BackendName, string>>;

/** How each backend loads: the package that registers it, tfjs's name for it, where it runs. */
const BACKENDS: Record<
  BackendName,
  { module?: string; tfjsName: string; runsIn: 'node' | 'browser' | 'both'; install?: string }
> = {
  'tensorflow-gpu': {
    module: '@tensorflow/tfjs-node-gpu',
    tfjsName: 'tensorflow',
    runsIn: 'node',
    install: 'npm install @tensorflow/tfjs-node-gpu (Linux with CUDA)',
  },
  tensorflow: {
    module: '@tensorflow/tfjs-node',
    tfjsName: 'tensorflow',
    runsIn: 'node',
    install: 'npm install @tensorflow/tfjs-node',
  },
  webgpu: {
    module: '@tensorflow/tfjs-backend-webgpu',
    tfjsName: 'webgpu',
    runsIn: 'both',
    install:
      "npm install @tensorflow/tfjs-backend-webgpu webgpu (in a browser: import '@tensorflow/tfjs-backend-webgpu'); on Linux a Vulkan driver for the GPU and libvulkan1",
  },
  webgl: {
    module: '@tensorflow/tfjs-backend-webgl',
    tfjsName: 'webgl',
    runsIn: 'browser',
    install:
      "npm install @tensorflow/tfjs-backend-webgl and import '@tensorflow/tfjs-backend-webgl'",
  },
  wasm: { tfjsName: 'wasm', runsIn: 'both' },
  cpu: { tfjsName: 'cpu', runsIn: 'both' },
};

/** Whether this code runs in Node (rather than a browser or a worker). */
export function runsInNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Registers a backend's factory with tfjs: the Node bindings by a runtime import (never bundled),
 * wasm and cpu from this package's own dependencies; webgl (and webgpu in a browser) only when
 * the app has imported them (a bundler cannot include a package the app does not depend on).
 */
async function registerBackend(name: BackendName, options: SelectBackendOptions): Promise<void> {
  const { module, tfjsName } = BACKENDS[name];
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
    return;
  }
  if (name === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    return;
  }
  if (tf.findBackendFactory(tfjsName) !== null) return;
  if (!runsInNode()) throw new Error(`${module} is not imported`);
  // A specifier in a variable: bundlers leave it alone; Node resolves it at run time.
  const specifier = module as string;
  await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

/** A WebGPU with its adapter (Dawn's in Node, the browser's own), or why there is none. */
async function findWebGpu(): Promise<
  { gpu: WebGpuLike; adapter: WebGpuAdapterDescription } | { reason: string }
> {
  let gpu: WebGpuLike | undefined;
  if (runsInNode()) {
    const found = await nodeWebGpu();
    if (found.gpu === undefined) return { reason: found.reason };
    gpu = found.gpu;
  } else {
    gpu = (globalThis as { navigator?: { gpu?: WebGpuLike } }).navigator?.gpu;
    if (gpu === undefined) return { reason: 'no WebGPU here (navigator.gpu is missing)' };
  }
  const adapter = await requestWebGpuAdapter(gpu);
  return adapter === undefined ? { reason: 'no WebGPU adapter' } : { gpu, adapter };
}

/**
 * Loads a backend and makes it tfjs's: undefined when it runs, else why not. webgpu is passed
 * over when it finds only a software adapter unless it was asked for by name.
 */
async function tryBackend(
  name: BackendName,
  options: SelectBackendOptions,
  byName: boolean,
): Promise<{ failure: string } | { adapter?: WebGpuAdapterDescription }> {
  const { module, tfjsName, runsIn } = BACKENDS[name];
  const node = runsInNode();
  if ((runsIn === 'node' && !node) || (runsIn === 'browser' && node)) {
    return { failure: `runs only in ${runsIn === 'node' ? 'Node' : 'a browser'}` };
  }
  try {
    let adapter: WebGpuAdapterDescription | undefined;
    if (name === 'webgpu') {
      const found = await findWebGpu();
      if ('reason' in found) return { failure: found.reason };
      adapter = found.adapter;
      if (adapter.software && !byName) {
        return {
          failure: `software adapter ${webGpuAdapterLine(adapter)}: GPU code run on the CPU, slower than wasm (used only when webgpu is asked for by name)`,
        };
      }
      if (node) await installNodeWebGpu(found.gpu);
    }
    await registerBackend(name, options);
    if (!(await tf.setBackend(tfjsName))) return { failure: `tf.setBackend('${tfjsName}') failed` };
    await tf.ready();
    if (name === 'wasm') installWasmKernels();
    if (name === 'webgpu') installWebGpuKernels();
    if (name === 'webgpu') refuseSynchronousGpuReads(tf.backend());
    return adapter === undefined ? {} : { adapter };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    return {
      failure:
        module !== undefined && /Cannot find (module|package)|Could not resolve/.test(message)
          ? `${module} is not installed`
          : message,
    };
  }
}

/** What a reason adds about a WebGPU adapter: its name, and a warning when it is software. */
function adapterNote(adapter: WebGpuAdapterDescription | undefined): string {
  if (adapter === undefined) return '';
  return adapter.software
    ? `; software adapter ${webGpuAdapterLine(adapter)}: GPU code run on the CPU, slower than wasm`
    : `; adapter ${webGpuAdapterLine(adapter)}`;
}

/**
 * Picks the tfjs backend, once, at start-up. With `'auto'` it tries, fastest first, in Node
 * tfjs-node-gpu, tfjs-node, webgpu (Dawn, from the `webgpu` package), wasm, cpu, and in a
 * browser webgpu, webgl, wasm, cpu, and takes the first that loads, passing over GPU backends
 * that run on the CPU (a software WebGPU adapter such as SwiftShader or lavapipe, a software
 * WebGL renderer: slower than wasm); any other name loads exactly that backend, software adapters
 * included (an error with an install hint if it cannot). In Node on Linux, webgpu falls back to
 * chromium's SwiftShader Vulkan driver when the system has no usable one (`nodeWebGpu`). On wasm it installs this package's kernels (`installWasmKernels`), so convolutional
 * networks train and dense ones run several times faster than on tfjs-backend-wasm alone. On
 * every backend it installs the lean backward pass (`installLeanGradients`: the same gradients,
 * with memory freed as the pass goes, as PyTorch does). Returns the backend, a line saying why,
 * and why each faster backend was skipped.
 *
 * In a browser, import the GPU backends you want to ship (`import '@tensorflow/tfjs-backend-webgl'`)
 * and pass `wasmPaths` if tfjs-backend-wasm's `.wasm` files are not served next to your bundle.
 *
 * @example
 * const { name, reason } = await selectBackend('auto');
 * console.error(`backend: ${name} (${reason})`);
 */
export async function selectBackend(
  requested: BackendName | 'auto' = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendChoice> {
  if (requested !== 'auto' && !BACKEND_NAMES.includes(requested)) {
    throw new RangeError(
      `selectBackend: backend must be one of auto, ${BACKEND_NAMES.join(', ')}; got ${JSON.stringify(requested)}`,
    );
  }
  installLeanGradients();
  const failures: BackendFailures = {};
  if (requested !== 'auto') {
    const result = await tryBackend(requested, options, true);
    if ('failure' in result) {
      const hint = BACKENDS[requested].install;
      throw new Error(
        `backend ${requested} cannot load: ${result.failure}${hint ? `; install it with: ${hint}` : ''}`,
      );
    }
    const renderer = requested === 'webgl' ? softwareWebGlRenderer() : undefined;
    const note =
      renderer === undefined
        ? adapterNote(result.adapter)
        : `; software renderer ${renderer}: GPU code run on the CPU, slower than wasm`;
    return { name: requested, reason: `chosen explicitly${note}`, failures, ...result };
  }
  for (const name of runsInNode() ? NODE_BACKEND_ORDER : BROWSER_BACKEND_ORDER) {
    const software = name === 'webgl' ? softwareWebGlRenderer() : undefined;
    if (software !== undefined) {
      failures[name] = `software renderer (${software}), slower than wasm`;
      continue;
    }
    const result = await tryBackend(name, options, false);
    if (!('failure' in result)) {
      const skipped = Object.entries(failures).map(
        ([skippedName, why]) => `${skippedName}: ${why}`,
      );
      const reason =
        skipped.length === 0
          ? 'the fastest available'
          : `fastest that loads (${skipped.join('; ')})`;
      return { name, reason: `${reason}${adapterNote(result.adapter)}`, failures, ...result };
    }
    failures[name] = result.failure;
  }
  throw new Error(`selectBackend: no tfjs backend could load: ${JSON.stringify(failures)}`);
}

/**
 * How to install each backend that did not load because it is not installed (for a hint after
 * `selectBackend('auto')`).
 *
 * @example for (const hint of installHints(choice.failures)) console.error(`faster: ${hint}`);
 */
export function installHints(failures: BackendFailures): string[] {
  return Object.entries(failures)
    .filter(([, why]) => /is not (installed|imported)/.test(why ?? ''))
    .map(([name]) => BACKENDS[name as BackendName].install)
    .filter((hint): hint is string => hint !== undefined);
}
