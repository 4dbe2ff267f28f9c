import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  type BackendChoice,
  installHints,
  NODE_BACKEND_ORDER,
  nodeWebGpu,
  requestWebGpuAdapter,
  SWIFTSHADER_VULKAN_DRIVER,
  selectBackend,
  webGpuAdapterLine,
} from '@fdistill/backend';
import { loadOnnxRuntime, ONNX_RUNTIME_INSTALL_HINT } from '@fdistill/eval/node';
import * as tf from '@tensorflow/tfjs';
import { FASHION_MNIST_FILES } from '../fashion-mnist.js';
import { PRESETS } from '../presets.js';
import { parseCommandArgs } from '../usage-error.js';

/** `fdistill doctor --help`. */
export const DOCTOR_HELP = `fdistill doctor: which backend runs and why, the GPU adapters, versions, threads, and what is missing

Usage: fdistill doctor`;

async function onnxRuntimeVersion(): Promise<string | undefined> {
  try {
    const module = (await loadOnnxRuntime()) as { env?: { versions?: { node?: string } } };
    return module.env?.versions?.node ?? 'installed';
  } catch {
    return undefined;
  }
}

/** The WebGPU adapter Dawn finds (the `webgpu` package), and the Vulkan drivers it looked at. */
async function webGpuAdapterLines(): Promise<string[]> {
  let found: Awaited<ReturnType<typeof nodeWebGpu>>;
  try {
    found = await nodeWebGpu();
  } catch (error) {
    return [`webgpu (Dawn)     none: ${(error as Error).message}`];
  }
  const drivers =
    process.platform !== 'linux'
      ? []
      : [
          `vulkan drivers    ${found.systemDrivers.length > 0 ? found.systemDrivers.join(', ') : 'none installed'}`,
        ];
  if (found.gpu === undefined) return [`webgpu (Dawn)     no adapter: ${found.reason}`, ...drivers];
  const adapter = await requestWebGpuAdapter(found.gpu);
  const through =
    found.driver === 'swiftshader' ? ` (through chromium's ${SWIFTSHADER_VULKAN_DRIVER})` : '';
  return [
    `webgpu (Dawn)     ${adapter === undefined ? 'no adapter' : `${webGpuAdapterLine(adapter)}${adapter.software ? ', software' : ''}`}${through}`,
    ...drivers,
    'webgl             browsers only (the demo reports its renderer)',
  ];
}

/** For each Node backend, whether `auto` uses it, and why not. */
function autoLines(backend: BackendChoice): string[] {
  return NODE_BACKEND_ORDER.map((name) => {
    const verdict =
      name === backend.name
        ? 'used'
        : (backend.failures[name] ?? `not used: ${backend.name} comes first`);
    return `  ${name.padEnd(16)}${verdict}`;
  });
}

/** Runs `fdistill doctor`; returns the exit code. */
export async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('doctor', args, {});
  if (values.help) {
    console.log(DOCTOR_HELP);
    return 0;
  }
  const backend = await selectBackend('auto');
  const lines = [
    `node              ${process.version} (${process.platform} ${process.arch})`,
    `tfjs              ${tf.version.tfjs}`,
    `backend           ${backend.name}: ${backend.reason}`,
    'auto, by backend:',
    ...autoLines(backend),
    ...(await webGpuAdapterLines()),
    `cpu threads       ${availableParallelism()} available; ${backend.name === 'wasm' ? 'tfjs wasm runs single-threaded in Node' : backend.name === 'cpu' ? 'tfjs cpu runs on one thread' : backend.name === 'webgpu' ? 'the GPU runs the kernels' : 'libtensorflow picks its own thread pools'}`,
  ];
  const onnx = await onnxRuntimeVersion();
  lines.push(
    `onnxruntime-node  ${onnx ?? `missing (needed by sample --onnx and the fashion-mnist evaluation): ${ONNX_RUNTIME_INSTALL_HINT}`}`,
  );
  const dataPath = PRESETS['fashion-mnist'].dataPath as string;
  const found = existsSync(join(dataPath, FASHION_MNIST_FILES.trainImages));
  lines.push(
    `fashion-mnist     ${found ? dataPath : `missing at ${dataPath}: apt-get install dataset-fashion-mnist, or set dataPath in a config`}`,
  );
  const hints = installHints(backend.failures);
  if (hints.length > 0)
    lines.push(
      '',
      'faster backends, if this machine can use them:',
      ...hints.map((hint) => `  ${hint}`),
    );
  console.log(lines.join('\n'));
  return 0;
}
