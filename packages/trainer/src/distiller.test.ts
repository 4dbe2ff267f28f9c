import '@tensorflow/tfjs';
import { getDivergence } from '@fdistill/divergence';
import { broadcastPerSample, sampleTrainingSigmas } from '@fdistill/score';
import { smallDistiller, twoModeMixture } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memoryCheckpointStore } from './checkpoint-store.js';
import { DistillModel } from './distill-model.js';
import { stepSeed } from './seeds.js';

function parameterValues(distiller: ReturnType<typeof smallDistiller>): Float32Array[] {
  const { student, fakeScore, discriminator } = distiller.networks;
  return [
    ...student.parameters(),
    ...fakeScore.parameters(),
    ...discriminator.module.parameters(),
  ].map((variable) => variable.dataSync() as Float32Array);
}

describe('Distiller', () => {
  it('with reverse-KL (h = 1) computes the plain DMD2 loss and gradient (f-distill paper, Sec. 3)', () => {
    const teacher = twoModeMixture();
    const ganWeight = 0.05;
    const distiller = smallDistiller(teacher, {
      divergence: getDivergence('reverse-kl'),
      ganWeight,
      seed: 3,
    });
    const { student, fakeScore, discriminator } = distiller.networks;
    // The gradients of a first generator step: the distiller's model on step 0's draws.
    const model = new DistillModel(distiller.networks, distiller.data, distiller.options);
    const ours = model.generatorGradients(0);

    // Direct DMD2: the same draws, w = 1 / mean|x - T|, L = 0.5 mean((x - sg(x - w (F - T)))^2) + w_GAN softplus(-D).
    const seed = (stream: Parameters<typeof stepSeed>[2]) => stepSeed(3, 0, stream);
    const latent = tf.randomNormal([32, 2], 0, 1, 'float32', seed('latent'));
    const sigma = sampleTrainingSigmas(32, seed('generator-sigma'), {});
    const noise = tf.randomNormal([32, 2], 0, 1, 'float32', seed('generator-noise'));
    const spread = broadcastPerSample(sigma, 2);
    const generate = () => student.denoise(tf.mul(latent, 80), 80);
    const noised = tf.add(generate(), tf.mul(spread, noise));
    const teacherX0 = teacher.denoise(noised, sigma);
    const fakeX0 = fakeScore.denoise(noised, sigma);
    const direct = tf.variableGrads(() => {
      const x = generate();
      const xValues = x.arraySync() as number[][];
      const t = teacherX0.arraySync() as number[][];
      const f = fakeX0.arraySync() as number[][];
      const target = xValues.map((row, i) => {
        const w =
          1 / (row.reduce((sum, value, j) => sum + Math.abs(value - (t[i]?.[j] as number)), 0) / 2);
        return row.map((value, j) => value - w * ((f[i]?.[j] as number) - (t[i]?.[j] as number)));
      });
      const distill = tf.mul(0.5, tf.mean(tf.square(tf.sub(x, tf.tensor2d(target)))));
      const logits = discriminator.logits(tf.add(x, tf.mul(spread, noise)), sigma);
      return tf.add(distill, tf.mul(ganWeight, tf.mean(tf.softplus(tf.neg(logits))))) as tf.Scalar;
    }, student.parameters());

    // The paper's formulas have no epsilon; FastGen's 1e-6 in the two normalizers shifts values by
    // about 1e-6 / mean|x - T| relative, well under 1e-4 here.
    const [ourLoss, directLoss] = [
      ours.loss.dataSync()[0] as number,
      direct.value.dataSync()[0] as number,
    ];
    expect(Math.abs(ourLoss - directLoss)).toBeLessThan(1e-4 * directLoss);
    let largest = 0;
    for (const variable of student.parameters()) {
      const expected = direct.grads[variable.name]?.dataSync() ?? [];
      const actual = ours.gradients[variable.name]?.dataSync() ?? [];
      expect(actual.length).toBe(expected.length);
      expected.forEach((value, index) => {
        largest = Math.max(largest, Math.abs(value));
        expect(Math.abs((actual[index] as number) - value)).toBeLessThan(
          1e-5 + 1e-4 * Math.abs(value),
        );
      });
    }
    expect(largest).toBeGreaterThan(1e-4);
    expect(Array.from(ours.weight.dataSync()).every((weight) => weight === 1)).toBe(true);
    model.dispose();
    distiller.dispose();
  });

  it('resumes bit for bit: N steps straight equal N/2 + checkpoint + resume + N/2', async () => {
    const options = { divergence: getDivergence('js'), seed: 5, r1: { gamma: 1 } } as const;
    const straight = smallDistiller(twoModeMixture(), options, 16);
    for (let step = 0; step < 12; step++) await straight.step();

    const first = smallDistiller(twoModeMixture(), options, 16);
    for (let step = 0; step < 6; step++) await first.step();
    const store = memoryCheckpointStore('resume.safetensors');
    await first.saveCheckpoint(store);
    const resumed = smallDistiller(twoModeMixture(), options, 16);
    resumed.loadCheckpoint(store);
    expect(resumed.steps).toBe(6);
    for (let step = 6; step < 12; step++) await resumed.step();

    const expected = parameterValues(straight);
    const actual = parameterValues(resumed);
    expect(actual.length).toBe(expected.length);
    for (const [index, values] of actual.entries()) {
      expect(Array.from(values)).toEqual(Array.from(expected[index] as Float32Array));
    }
    for (const distiller of [straight, first, resumed]) distiller.dispose();
  });

  it('refuses a checkpoint of another divergence unless warm-starting', async () => {
    const reverse = smallDistiller(
      twoModeMixture(),
      { divergence: getDivergence('reverse-kl') },
      8,
    );
    await reverse.step();
    const store = memoryCheckpointStore('reverse.safetensors');
    await reverse.saveCheckpoint(store);
    const js = smallDistiller(twoModeMixture(), { divergence: getDivergence('js') }, 8);
    expect(() => js.loadCheckpoint(store)).toThrow(
      'trained with divergence "reverse-kl", this run uses "js"',
    );
    js.loadCheckpoint(store, { warmStart: true });
    expect(js.steps).toBe(0);
    const studentWeights = (distiller: typeof js) =>
      Array.from(distiller.networks.student.parameters()[0]?.dataSync() ?? []);
    expect(studentWeights(js)).toEqual(studentWeights(reverse));
  });

  it('keeps stage-one bins in ln sigma in its checkpoint, which a linear-bin run refuses', async () => {
    const logBins = {
      divergence: getDivergence('forward-kl'),
      ratioNormalization: { binSpacing: 'log', emaRate: 0.5 },
    } as const;
    const trained = smallDistiller(twoModeMixture(), logBins, 8);
    for (let step = 0; step < 3; step++) await trained.step();
    const store = memoryCheckpointStore('log-bins.safetensors');
    await trained.saveCheckpoint(store);
    const linear = smallDistiller(twoModeMixture(), { divergence: getDivergence('forward-kl') }, 8);
    expect(() => linear.loadCheckpoint(store)).toThrow(
      'state.binSpacing is "log", this normalizer has linear',
    );
    const resumed = smallDistiller(twoModeMixture(), logBins, 8);
    resumed.loadCheckpoint(store);
    expect(resumed.steps).toBe(3);
    for (const distiller of [trained, linear, resumed]) distiller.dispose();
  });

  it('holds a constant number of tensors over 1,000 steps', async () => {
    const distiller = smallDistiller(
      twoModeMixture(),
      { divergence: getDivergence('forward-kl'), batchSize: 8, r1: { gamma: 1 } },
      8,
    );
    await distiller.step();
    await distiller.step();
    const before = tf.memory().numTensors;
    for (let step = 0; step < 1000; step++) await distiller.step();
    expect(tf.memory().numTensors).toBe(before);
    distiller.dispose();
  }, 120_000);
});
