import '@tensorflow/tfjs';
import { getDivergence } from '@fdistill/divergence';
import { heunSampler, MlpDenoiser } from '@fdistill/score';
import { smallDistiller, twoModeMixture } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mixtureSource } from './data/mixture-source.js';
import { Distiller } from './distiller.js';
import { stepSeed } from './seeds.js';

/** Mean squared distance of the student's G(z) to the teacher's Heun solution x(z). */
function distanceToSampler(distiller: ReturnType<typeof smallDistiller>, seed: number): number {
  return tf.tidy(() => {
    const latent = tf.randomNormal([256, 2], 0, 1, 'float32', seed);
    const target = heunSampler(distiller.networks.teacher, { noise: latent, steps: 18 }).samples;
    return tf.mean(tf.square(tf.sub(distiller.generate(latent), target))).dataSync()[0] as number;
  });
}

describe('Distiller.warmStartStudent', { timeout: 60_000 }, () => {
  it("fits G(z) to the teacher's Heun sampler, sets the EMA to the student, and is reproducible", () => {
    const build = () => {
      const distiller = smallDistiller(twoModeMixture(), {
        divergence: getDivergence('js'),
        seed: 2,
      });
      const ema = new MlpDenoiser({
        dimension: 2,
        width: 32,
        depth: 2,
        embeddingSize: 8,
        seed: 99,
      });
      Object.assign(distiller.networks, { studentEma: ema });
      return distiller;
    };
    const distiller = build();
    const before = distanceToSampler(distiller, 5);
    const tensors = tf.memory().numTensors;
    const loss = distiller.warmStartStudent({ steps: 150, pairs: 512, learningRate: 5e-3 });
    expect(tf.memory().numTensors).toBe(tensors);
    const after = distanceToSampler(distiller, 5);
    // Held-out latents: the student now follows the sampler's map closely.
    expect(after).toBeLessThan(before / 5);
    expect(loss).toBeLessThan(before / 5);
    const { student, studentEma } = distiller.networks;
    const studentValues = student.parameters().map((variable) => Array.from(variable.dataSync()));
    expect(studentEma?.parameters().map((variable) => Array.from(variable.dataSync()))).toEqual(
      studentValues,
    );
    // The run's step streams are untouched: distilling starts at step 0.
    expect(distiller.steps).toBe(0);
    const again = build();
    again.warmStartStudent({ steps: 150, pairs: 512, learningRate: 5e-3 });
    expect(again.networks.student.parameters().map((v) => Array.from(v.dataSync()))).toEqual(
      studentValues,
    );
    expect(stepSeed(2, 0, 'warm-start-latent')).not.toBe(stepSeed(2, 0, 'latent'));
  });

  it('rejects bad arguments and class-conditional data before any work', () => {
    const distiller = smallDistiller(twoModeMixture(), { divergence: getDivergence('js') });
    expect(() => distiller.warmStartStudent({ steps: 0, pairs: 10 })).toThrow(
      'warmStartStudent: steps must be an integer >= 1, got 0',
    );
    expect(() => distiller.warmStartStudent({ steps: 1, pairs: 10, learningRate: -1 })).toThrow(
      'warmStartStudent: learningRate',
    );
    const labelled = new Distiller(
      distiller.networks,
      { ...mixtureSource(twoModeMixture()), classCount: 3 },
      { divergence: getDivergence('js'), batchSize: 32 },
    );
    expect(() => labelled.warmStartStudent({ steps: 1, pairs: 10 })).toThrow(
      'class-conditional students are not supported',
    );
  });
});

describe('Distiller.weightingOfSamples', { timeout: 60_000 }, () => {
  it('returns per-sample sigma, r, h(r) = the divergence of r, and |T - F| / sigma^2', () => {
    const teacher = twoModeMixture();
    const distiller = smallDistiller(teacher, {
      divergence: getDivergence('forward-kl'),
      ratioNormalization: false,
    });
    const { sigma, ratio, weight, scoreDifference } = distiller.weightingOfSamples(64, 4);
    expect(sigma).toHaveLength(64);
    const forwardKl = getDivergence('forward-kl');
    ratio.forEach((r, index) => {
      expect(weight[index]).toBeCloseTo(forwardKl.h(r), 4);
    });
    // The score difference of the first sample, recomputed from the same draws.
    const direct = tf.tidy(() => {
      const latent = tf.randomNormal([64, 2], 0, 1, 'float32', stepSeed(4, 0, 'latent'));
      const noise = tf.randomNormal([64, 2], 0, 1, 'float32', stepSeed(4, 0, 'generator-noise'));
      const sigmas = tf.tensor1d(sigma);
      const noised = tf.add(distiller.generate(latent), tf.mul(tf.reshape(sigmas, [64, 1]), noise));
      const difference = tf.sub(
        teacher.denoise(noised, sigmas),
        distiller.networks.fakeScore.denoise(noised, sigmas),
      );
      return tf.div(tf.norm(difference, 'euclidean', 1), tf.square(sigmas)).arraySync() as number[];
    });
    direct.forEach((value, index) => {
      expect(scoreDifference[index]).toBeCloseTo(value, 3);
    });
  });
});

describe('fakeScoreWeighting: edm', { timeout: 60_000 }, () => {
  it('trains without leaking tensors and changes the fake score update against uniform', () => {
    const run = (fakeScoreWeighting: 'uniform' | 'edm') => {
      const distiller = smallDistiller(twoModeMixture(), {
        divergence: getDivergence('js'),
        fakeScoreWeighting,
      });
      distiller.step();
      const tensors = tf.memory().numTensors;
      for (let step = 1; step < 30; step++) distiller.step();
      expect(tf.memory().numTensors).toBe(tensors);
      const values = Array.from(distiller.networks.fakeScore.parameters()[0]?.dataSync() ?? []);
      distiller.dispose();
      return values;
    };
    expect(run('edm')).not.toEqual(run('uniform'));
    expect(() =>
      smallDistiller(twoModeMixture(), {
        divergence: getDivergence('js'),
        fakeScoreWeighting: 'sigma' as 'edm',
      }),
    ).toThrow("distill options.fakeScoreWeighting must be 'uniform' or 'edm', got sigma");
  });
});
