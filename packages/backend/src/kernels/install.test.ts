import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { installWasmKernels, WASM_KERNEL_NAMES } from '../install-wasm-kernels.js';

describe('installWasmKernels', () => {
  it('registers its kernels for wasm only, once, after the backend is ready', async () => {
    const cpuBefore = WASM_KERNEL_NAMES.map((name) => tf.getKernel(name, 'cpu'));
    await tf.setBackend('wasm');
    const stock = WASM_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm'));
    expect(installWasmKernels()).toBe(true);
    const installed = WASM_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm'));
    installed.forEach((kernel, index) => {
      expect(kernel, WASM_KERNEL_NAMES[index]).toBeDefined();
      expect(kernel, WASM_KERNEL_NAMES[index]).not.toBe(stock[index]);
    });
    expect(installWasmKernels()).toBe(true);
    expect(WASM_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm'))).toEqual(installed);
    expect(WASM_KERNEL_NAMES.map((name) => tf.getKernel(name, 'cpu'))).toEqual(cpuBefore);
  });

  it('trains a small convolutional network on wasm without leaking tensors or heap', async () => {
    await tf.setBackend('wasm');
    installWasmKernels();
    const weights = [tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 0.3, 'float32', 1))];
    weights.push(tf.variable(tf.randomNormal([4, 4, 4, 4], 0, 0.3, 'float32', 2)));
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    const optimizer = tf.train.sgd(0.01);
    const loss = () =>
      tf.tidy(() => {
        const hidden = tf.conv2d(x, weights[0] as tf.Variable<tf.Rank.R4>, 1, 'same');
        const out = tf.conv2d(tf.sigmoid(hidden), weights[1] as tf.Variable<tf.Rank.R4>, 2, 1);
        return tf.mean(tf.square(tf.sub(out, tf.mean(out, [1, 2], true)))) as tf.Scalar;
      });
    const step = () => tf.dispose(optimizer.minimize(loss, true) ?? []);
    const lossValue = () => {
      const value = loss();
      const result = value.dataSync()[0] as number;
      value.dispose();
      return result;
    };
    const heapSize = () =>
      (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    step();
    const tensors = tf.memory().numTensors;
    const heap = heapSize();
    const first = lossValue();
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(heapSize()).toBe(heap);
    expect(lossValue()).toBeLessThan(first);
    tf.dispose([...weights, x]);
  });
});
