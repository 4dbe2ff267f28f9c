import '@tensorflow/tfjs';
import { defineDivergence, getDivergence } from '@fdistill/divergence';
import { denoisingScoreMatchingLoss, GaussianMixture, MlpDenoiser } from '@fdistill/score';
import { smallDistiller } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from './checkpoint-bytes.js';
import { memoryCheckpointStore } from './checkpoint-store.js';
import { mixtureSource } from './data/mixture-source.js';
import { NonFiniteLossError } from './non-finite.js';
import { runTraining } from './run-training.js';
import { TeacherTrainer } from './teacher-trainer.js';
import { trainTeacher } from './train-functions.js';

const mixture = new GaussianMixture({
  means: [
    [-1, 0],
    [1, 0],
  ],
  stds: 0.1,
  weights: [0.8, 0.2],
});
const network = () =>
  new MlpDenoiser({ dimension: 2, width: 16, depth: 2, embeddingSize: 8, seed: 4 });

describe('TeacherTrainer', () => {
  it('lowers the DSM loss and follows warm-up then cosine decay', async () => {
    const trainer = new TeacherTrainer(network(), mixtureSource(mixture), {
      batchSize: 64,
      totalSteps: 150,
      learningRate: 5e-3,
      warmupSteps: 10,
    });
    // The same 2,000 samples, noise levels and noise before and after: a paired comparison.
    const evaluation = mixture.sample(2000, 99);
    const loss = () =>
      tf.tidy(
        () =>
          denoisingScoreMatchingLoss(trainer.network, evaluation, {
            seed: 5,
          }).dataSync()[0] as number,
      );
    const before = loss();
    await runTraining(trainer, { totalSteps: 150 });
    const after = loss();
    expect(after).toBeLessThan(0.8 * before);
    expect(trainer.learningRateAt(0)).toBeCloseTo(5e-4, 10);
    expect(trainer.learningRateAt(9)).toBeCloseTo(5e-3, 10);
    expect(trainer.learningRateAt(80)).toBeCloseTo(
      0.5 * 5e-3 * (1 + Math.cos((Math.PI * 70) / 140)),
      10,
    );
  });

  it('resumes bit for bit from a checkpoint', async () => {
    const options = { batchSize: 32, totalSteps: 20, seed: 9 };
    const straight = new TeacherTrainer(network(), mixtureSource(mixture), options, network());
    for (let step = 0; step < 8; step++) await straight.step();
    const first = new TeacherTrainer(network(), mixtureSource(mixture), options, network());
    for (let step = 0; step < 4; step++) await first.step();
    const store = memoryCheckpointStore('teacher.safetensors');
    await first.saveCheckpoint(store);
    const resumed = new TeacherTrainer(network(), mixtureSource(mixture), options, network());
    resumed.loadCheckpoint(store);
    for (let step = 4; step < 8; step++) await resumed.step();
    const values = (trainer: TeacherTrainer) =>
      [...trainer.network.parameters(), ...(trainer.ema?.parameters() ?? [])].map((variable) =>
        Array.from(variable.dataSync()),
      );
    expect(values(resumed)).toEqual(values(straight));
  });
});

describe('trainTeacher', () => {
  it('trains to totalSteps; stopped by a signal and resumed, it ends where a straight run does', async () => {
    const options = { batchSize: 32, totalSteps: 12, seed: 3 };
    const values = (model: MlpDenoiser) =>
      model.parameters().map((variable) => Array.from(variable.dataSync()));
    const straight = network();
    expect(await trainTeacher(straight, mixtureSource(mixture), options)).toEqual({
      steps: 12,
      interrupted: false,
      rollbacks: 0,
    });

    const store = memoryCheckpointStore('teacher');
    const controller = new AbortController();
    const first = network();
    const stopped = await trainTeacher(first, mixtureSource(mixture), options, {
      checkpoint: store,
      signal: controller.signal,
      onStep: (event) => event.step === 4 && controller.abort(),
    });
    expect(stopped).toEqual({ steps: 5, interrupted: true, rollbacks: 0 });
    const resumed = network();
    await trainTeacher(resumed, mixtureSource(mixture), options, {
      checkpoint: store,
      resume: true,
    });
    expect(values(resumed)).toEqual(values(straight));
    expect(values(resumed)).not.toEqual(values(network()));
  });
});

describe('non-finite losses', () => {
  /** A weighting that is NaN everywhere: the generator loss becomes NaN at the first step. */
  const broken = defineDivergence({
    ...getDivergence('js'),
    name: 'broken',
    label: 'broken',
    hTensor: (r) => tf.mul(r, Number.NaN),
    weightingExponents: { atZero: 1, atInfinity: 0 },
  });

  it('stop the run with an error naming the step and the quantity', async () => {
    const distiller = smallDistiller(mixture, { divergence: broken }, 8);
    await expect(distiller.step()).rejects.toThrow(
      new NonFiniteLossError(0, 'generator loss', Number.NaN).message,
    );
  });

  it('roll back to the last checkpoint with halved learning rates when asked', async () => {
    const store = memoryCheckpointStore('rollback.safetensors');
    const distiller = smallDistiller(mixture, { divergence: broken, onNonFinite: 'rollback' }, 8);
    await distiller.saveCheckpoint(store);
    const learningRate = async () => {
      const probe = memoryCheckpointStore('probe');
      await distiller.saveCheckpoint(probe);
      const { tensors, state } = decodeCheckpoint(probe.read() as Uint8Array);
      tf.dispose([...tensors.values()]);
      return state.learningRates;
    };
    // Every retry fails again (h is always NaN): three rollbacks, then the error propagates.
    await expect(
      runTraining(distiller, { totalSteps: 10, checkpoint: store, checkpointEvery: 100 }),
    ).rejects.toThrow('generator loss is NaN');
    expect(distiller.steps).toBe(0);
    // Three rollbacks halved the learning rates three times.
    expect(await learningRate()).toEqual({
      generator: 1e-4 / 8,
      fakeScore: 1e-4 / 8,
      discriminator: 1e-4 / 8,
    });
  });
});
