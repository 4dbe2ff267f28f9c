import '@tensorflow/tfjs';
import { alphaDivergence, listDivergences } from '@fdistill/divergence';
import { GaussianMixture } from '@fdistill/score';
import { smallDistiller } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

/** Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| between two 2-D sample sets (float64). */
function energyDistance(a: number[][], b: number[][]): number {
  const meanDistance = (left: number[][], right: number[][]) => {
    let sum = 0;
    for (const p of left)
      for (const q of right)
        sum += Math.hypot((p[0] as number) - (q[0] as number), (p[1] as number) - (q[1] as number));
    return sum / (left.length * right.length);
  };
  return 2 * meanDistance(a, b) - meanDistance(a, a) - meanDistance(b, b);
}

describe('f-distill on an imbalanced 2-D mixture with the exact teacher', () => {
  // Modes at (-1, 0) and (1, 0) with weights 0.8 / 0.2. The fresh student starts collapsed near
  // the origin (energy distance to the teacher 1.23); every f must bring it below 40% of that in
  // 300 steps (60 generator updates) without a NaN. Measured: 18% (reverse-KL) to 29% (Pearson).
  const teacher = new GaussianMixture({
    means: [
      [-1, 0],
      [1, 0],
    ],
    stds: 0.1,
    weights: [0.8, 0.2],
  });
  const reference = teacher.sample(400, 1).arraySync() as number[][];
  const divergences = [...listDivergences(), alphaDivergence(0.5)];

  it.each(divergences.map((divergence) => [divergence.name, divergence] as const))(
    '%s trains',
    async (_name, divergence) => {
      const distiller = smallDistiller(
        teacher,
        {
          divergence,
          batchSize: 64,
          seed: 2,
          learningRates: { generator: 3e-3, fakeScore: 3e-3, discriminator: 3e-3 },
        },
        16,
      );
      await distiller.prefitFakeScore(50);
      const latent = tf.randomNormal([400, 2], 0, 1, 'float32', 3);
      const distance = () =>
        energyDistance(distiller.generate(latent).arraySync() as number[][], reference);
      const initial = distance();
      for (let step = 0; step < 300; step++) await distiller.step();
      const final = distance();
      expect(initial).toBeGreaterThan(0.5);
      expect(final).toBeLessThan(0.4 * initial);
      distiller.dispose();
    },
    60_000,
  );
});
