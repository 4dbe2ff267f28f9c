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
  it("fits G(z) to the teacher's Heun sampler, sets the EMA to the student, and is reproducible", async () => {
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
    const loss = await distiller.warmStartStudent({ steps: 150, pairs: 512, learningRate: 5e-3 });
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
    await again.warmStartStudent({ steps: 150, pairs: 512, learningRate: 5e-3 });
    expect(again.networks.student.parameters().map((v) => Array.from(v.dataSync()))).toEqual(
      studentValues,
    );
    expect(stepSeed(2, 0, 'warm-start-latent')).not.toBe(stepSeed(2, 0, 'latent'));
  });

  it('rejects bad arguments and class-conditional data before any work', async () => {
    const distiller = smallDistiller(twoModeMixture(), { divergence: getDivergence('js') });
    await expect(distiller.warmStartStudent({ steps: 0, pairs: 10 })).rejects.toThrow(
      'warmStartStudent: steps must be an integer >= 1, got 0',
    );
    await expect(
      distiller.warmStartStudent({ steps: 1, pairs: 10, learningRate: -1 }),
    ).rejects.toThrow('warmStartStudent: learningRate');
    const labelled = new Distiller(
      distiller.networks,
      { ...mixtureSource(twoModeMixture()), classCount: 3 },
      { divergence: getDivergence('js'), batchSize: 32 },
    );
    await expect(labelled.warmStartStudent({ steps: 1, pairs: 10 })).rejects.toThrow(
      'class-conditional students draw their pairs per label: use regressStudentOnPairs',
    );
  });
});

describe('Distiller.regressStudentOnPairs', { timeout: 60_000 }, () => {
  /** A class-conditional MLP student (two classes) in a distiller over labelled mixture data. */
  function labelledDistiller(): Distiller {
    const plain = smallDistiller(twoModeMixture(), { divergence: getDivergence('js') });
    const student = new MlpDenoiser({
      dimension: 2,
      width: 32,
      depth: 2,
      embeddingSize: 8,
      classCount: 2,
      seed: 21,
    });
    return new Distiller(
      { ...plain.networks, student },
      { ...mixtureSource(twoModeMixture()), classCount: 2 },
      { divergence: getDivergence('js'), batchSize: 64, seed: 4 },
    );
  }

  /** Pairs whose target depends on the label: (+-1, 0) + 0.1 z. */
  function labelledPairs(count: number, seed: number) {
    return tf.tidy(() => {
      const latents = tf.randomNormal([count, 2], 0, 1, 'float32', seed);
      const labels = tf.cast(
        tf.greater(tf.randomUniform([count], 0, 1, 'float32', seed + 1), 0.5),
        'int32',
      ) as tf.Tensor1D;
      const centre = tf.stack(
        [
          tf.sub(tf.mul(tf.cast(labels, 'float32'), 2), 1),
          tf.zerosLike(tf.cast(labels, 'float32')),
        ],
        1,
      );
      return { latents, labels, targets: tf.add(centre, tf.mul(latents, 0.1)) };
    });
  }

  function distance(
    distiller: Distiller,
    pairs: ReturnType<typeof labelledPairs>,
    labels: tf.Tensor1D,
  ): number {
    return tf.tidy(
      () =>
        tf
          .mean(tf.square(tf.sub(distiller.generate(pairs.latents, labels), pairs.targets)))
          .dataSync()[0] as number,
    );
  }

  it('fits a class-conditional G(z, label) to labelled pairs, without leaking tensors', async () => {
    const distiller = labelledDistiller();
    const pairs = labelledPairs(512, 3);
    const heldOut = labelledPairs(256, 9);
    const before = distance(distiller, heldOut, heldOut.labels);
    const tensors = tf.memory().numTensors;
    const progress: [number, number][] = [];
    const loss = await distiller.regressStudentOnPairs(pairs, {
      steps: 300,
      learningRate: 5e-3,
      onUpdate: (done, value) => progress.push([done, value]),
    });
    expect(tf.memory().numTensors).toBe(tensors);
    // One report per update, the last with the loss returned.
    expect(progress.map(([done]) => done)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(progress.at(-1)?.[1]).toBe(loss);
    const after = distance(distiller, heldOut, heldOut.labels);
    expect(Number.isFinite(loss)).toBe(true);
    expect(after).toBeLessThan(before / 10);
    // The label decides the mode: the other label lands about 2 away (squared 4 in x, mean 2).
    const swapped = tf.sub(tf.scalar(1, 'int32'), heldOut.labels) as tf.Tensor1D;
    expect(distance(distiller, heldOut, swapped)).toBeGreaterThan(1);
    tf.dispose([pairs, heldOut, swapped] as unknown as tf.Tensor[]);
  });

  it('names pairs that do not match the student before any update', async () => {
    const distiller = labelledDistiller();
    const pairs = labelledPairs(16, 1);
    await expect(
      distiller.regressStudentOnPairs(
        { latents: pairs.latents, targets: pairs.targets },
        { steps: 1 },
      ),
    ).rejects.toThrow('pairs.labels must be given exactly when the student is class-conditional');
    const short = tf.slice(pairs.targets, [0, 0], [8, 2]);
    await expect(
      distiller.regressStudentOnPairs({ ...pairs, targets: short }, { steps: 1 }),
    ).rejects.toThrow('latents, labels and targets must have one row per pair (16)');
    await expect(distiller.regressStudentOnPairs(pairs, { steps: 0 })).rejects.toThrow(
      'regressStudentOnPairs: steps must be an integer >= 1, got 0',
    );
    tf.dispose([pairs.latents, pairs.labels, pairs.targets, short]);
  });
});

describe('Distiller.weightingOfSamples', { timeout: 60_000 }, () => {
  it('returns per-sample sigma, r, h(r) = the divergence of r, and |T - F| / sigma^2', async () => {
    const teacher = twoModeMixture();
    const distiller = smallDistiller(teacher, {
      divergence: getDivergence('forward-kl'),
      ratioNormalization: false,
    });
    const { sigma, ratio, weight, scoreDifference } = await distiller.weightingOfSamples(64, 4);
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
  it('trains without leaking tensors and changes the fake score update against uniform', async () => {
    const run = async (fakeScoreWeighting: 'uniform' | 'edm') => {
      const distiller = smallDistiller(twoModeMixture(), {
        divergence: getDivergence('js'),
        fakeScoreWeighting,
      });
      await distiller.step();
      const tensors = tf.memory().numTensors;
      for (let step = 1; step < 30; step++) await distiller.step();
      expect(tf.memory().numTensors).toBe(tensors);
      const values = Array.from(distiller.networks.fakeScore.parameters()[0]?.dataSync() ?? []);
      distiller.dispose();
      return values;
    };
    expect(await run('edm')).not.toEqual(await run('uniform'));
    expect(() =>
      smallDistiller(twoModeMixture(), {
        divergence: getDivergence('js'),
        fakeScoreWeighting: 'sigma' as 'edm',
      }),
    ).toThrow("distill options.fakeScoreWeighting must be 'uniform' or 'edm', got sigma");
  });
});
