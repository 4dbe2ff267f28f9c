import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './kernels/batch-mat-mul.js';
import { broadcastBinaryConfig } from './kernels/broadcast-binary.js';
import { concatConfig } from './kernels/concat.js';
import { conv2dConfig } from './kernels/conv2d.js';
import { conv2dBackpropFilterConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './kernels/conv2d-backprop-input.js';
import { identityConfig } from './kernels/identity.js';
import { reduceConfig } from './kernels/reduce.js';
import type { BinaryOperation } from './kernels/simd-kernels.js';
import { sliceConfig } from './kernels/slice.js';
import { splitConfig } from './kernels/split-v.js';
import { isWasmBackend } from './kernels/wasm-heap.js';

/** The kernels `installWasmKernels` registers for the 'wasm' backend. */
export const WASM_KERNEL_NAMES = [
  tf.BatchMatMul,
  tf.Conv2D,
  tf.Conv2DBackpropInput,
  tf.Conv2DBackpropFilter,
  tf.Identity,
  tf.Add,
  tf.Sub,
  tf.Multiply,
  tf.RealDiv,
  tf.Sum,
  tf.Mean,
  tf.Concat,
  tf.Slice,
  tf.SplitV,
] as const;

const BINARY_OPERATIONS: BinaryOperation[] = [tf.Add, tf.Sub, tf.Multiply, tf.RealDiv];

let installed = false;

/**
 * Makes the wasm backend able to train convolutional networks, and fast at it, by registering
 * kernels for 'wasm' only (tfjs-node, tfjs-node-gpu and cpu are untouched):
 *
 * - `Conv2DBackpropFilter`, which tfjs-backend-wasm 4.22 lacks: one XNNPACK product per filter
 *   tap on a stride-phase rearrangement of the input (no im2col matrix);
 * - `Conv2DBackpropInput`, replacing a direct loop ~10x slower than the forward pass: XNNPACK's
 *   convolution with the flipped filter (stride 1), or an XNNPACK product and col2im;
 * - `Conv2D`, XNNPACK always given an explicit padding (its `'same'` is silently zero when a
 *   stride exceeds the filter; a numeric padding is mis-sized by tfjs for non-square filters);
 * - `BatchMatMul`, so that transposed operands (every dense backward pass) and batches
 *   (attention) run on XNNPACK instead of a scalar loop;
 * - `Identity`, sharing data instead of copying it (tfjs clones every tensor a gradient saves);
 * - `Add`, `Sub`, `Multiply`, `RealDiv` with broadcasting, `Sum` and `Mean` over inner axes
 *   (GroupNorm, bias adds and their gradients): SIMD loops of this package's own WebAssembly;
 * - `Concat`, `Slice`, `SplitV`: copies straight on the heap.
 *
 * Each kernel checks its inputs and hands what it does not handle to the stock kernel. Call it
 * once, after `tf.setBackend('wasm')` has resolved; later calls do nothing. Returns whether the
 * kernels are installed (false when the wasm backend is not initialized, or is not the
 * tfjs-backend-wasm 4.x whose internals these kernels use, or tfjs-core is not the release they
 * were written for: `tfjsPatchSupport()` says why; tfjs's own kernels stay). Process-wide; `selectBackend` calls it whenever it picks wasm.
 *
 * @example await tf.setBackend('wasm'); installWasmKernels(); // conv training now works on wasm
 */
export function installWasmKernels(): boolean {
  if (installed) return true;
  if (!isWasmBackend(tf.findBackend('wasm'))) return false;
  // tf.getKernel is typed as always finding one; tfjs-backend-wasm 4.22 has all but this one.
  const stock = (name: string): tf.KernelConfig | undefined => tf.getKernel(name, 'wasm');
  const names = WASM_KERNEL_NAMES.filter((name) => name !== tf.Conv2DBackpropFilter);
  if (names.some((name) => stock(name) === undefined)) return false;
  const stockConvolution = tf.getKernel(tf.Conv2D, 'wasm');
  const replacements = [
    batchMatMulConfig(tf.getKernel(tf.BatchMatMul, 'wasm')),
    conv2dConfig(stockConvolution),
    conv2dBackpropInputConfig(stockConvolution),
    conv2dBackpropFilterConfig,
    identityConfig(tf.getKernel(tf.Identity, 'wasm')),
    ...BINARY_OPERATIONS.map((name) => broadcastBinaryConfig(name, tf.getKernel(name, 'wasm'))),
    reduceConfig(tf.Sum, tf.getKernel(tf.Sum, 'wasm')),
    reduceConfig(tf.Mean, tf.getKernel(tf.Mean, 'wasm')),
    concatConfig(tf.getKernel(tf.Concat, 'wasm')),
    sliceConfig(tf.getKernel(tf.Slice, 'wasm')),
    splitConfig(tf.getKernel(tf.SplitV, 'wasm')),
  ];
  for (const config of replacements) replaceKernel(config);
  installed = true;
  return true;
}

function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}
