import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { installHints, NODE_BACKEND_ORDER, selectBackend } from '@fdistill/backend';
import { loadOnnxRuntime, ONNX_RUNTIME_INSTALL_HINT } from '@fdistill/eval/node';
import * as tf from '@tensorflow/tfjs';
import { FASHION_MNIST_FILES } from '../fashion-mnist.js';
import { PRESETS } from '../presets.js';
import { parseCommandArgs } from '../usage-error.js';

/** `fdistill doctor --help`. */
export const DOCTOR_HELP = `fdistill doctor: which backend runs and why, versions, threads, and what is missing

Usage: fdistill doctor`;

async function onnxRuntimeVersion(): Promise<string | undefined> {
  try {
    const module = (await loadOnnxRuntime()) as { env?: { versions?: { node?: string } } };
    return module.env?.versions?.node ?? 'installed';
  } catch {
    return undefined;
  }
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
    `backends tried    ${NODE_BACKEND_ORDER.map((name) => `${name}: ${backend.failures[name] ?? (name === backend.name ? 'loaded' : 'not tried')}`).join('; ')}`,
    `cpu threads       ${availableParallelism()} available; ${backend.name === 'wasm' ? 'tfjs wasm runs single-threaded in Node' : backend.name === 'cpu' ? 'tfjs cpu runs on one thread' : 'libtensorflow picks its own thread pools'}`,
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
