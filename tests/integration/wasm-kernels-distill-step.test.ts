import { onBothBackendsAsync } from '@fdistill/testing/backend';
import { twoImageDistillSteps } from '@fdistill/testing/trainer';
import { describe, expect, it } from 'vitest';

describe('f-distill on images with the wasm kernels', () => {
  it('takes the same steps as the cpu backend (U-Net, conv heads, approximate R1)', async () => {
    const { cpu, wasm } = await onBothBackendsAsync(twoImageDistillSteps);
    const reference = cpu[0] as Float32Array;
    const actual = wasm[0] as Float32Array;
    expect(actual.length).toBe(reference.length);
    reference.forEach((value, index) => {
      expect(actual[index], `loss ${index}`).toBeCloseTo(value, 3);
    });
  }, 20_000);
});
