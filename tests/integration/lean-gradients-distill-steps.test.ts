import { uninstallLeanGradients } from '@fdistill/backend';
import { bothGradientPasses, expectClose } from '@fdistill/testing/backend';
import { twoImageDistillSteps } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('installLeanGradients on f-distill', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    uninstallLeanGradients();
  });

  it("two f-distill steps on a U-Net: the same losses and updates as tfjs's backward pass, at a lower peak", async () => {
    const { tfjs, lean } = await bothGradientPasses(twoImageDistillSteps);
    expectClose(lean.values, tfjs.values, 1e-5);
    expect(lean.peakBytes).toBeLessThan(tfjs.peakBytes);
    expect(lean.leaked).toBe(0);
  });
});
