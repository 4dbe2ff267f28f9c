import { installWasmKernels } from '@fdistill/backend';
import { twoImageDistillSteps } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';

/** The two steps' losses and parameters on a backend (wasm with the project's kernels). */
async function stepsOn(name: 'cpu' | 'wasm'): Promise<Float32Array[]> {
  await tf.setBackend(name);
  if (name === 'wasm' && !installWasmKernels()) throw new Error('wasm kernels not installed');
  const tensors = await twoImageDistillSteps();
  const values = (await Promise.all(tensors.map((tensor) => tensor.data()))) as Float32Array[];
  tf.dispose(tensors);
  return values;
}

describe('f-distill on images with the wasm kernels', () => {
  it('takes the same steps as the cpu backend (U-Net, conv heads, approximate R1)', async () => {
    const [cpu, wasm] = [await stepsOn('cpu'), await stepsOn('wasm')];
    const reference = cpu[0] as Float32Array;
    const actual = wasm[0] as Float32Array;
    expect(actual.length).toBe(reference.length);
    reference.forEach((value, index) => {
      expect(actual[index], `loss ${index}`).toBeCloseTo(value, 3);
    });
  }, 20_000);
});
