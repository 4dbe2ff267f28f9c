import '@tensorflow/tfjs';
import { ConvDiscriminator } from '@fdistill/discriminator';
import { getDivergence } from '@fdistill/divergence';
import { GuidedDenoiser, type Module, UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tensorSource } from './data/tensor-source.js';
import { teacherFeatureDistillDiscriminator } from './discriminator-adapters.js';
import { DistillModel, uniformLabels } from './distill-model.js';
import type { DistillDiscriminator } from './distill-networks.js';
import { resolveDistillOptions } from './distill-options.js';
import { Distiller } from './distiller.js';
import { stepSeed } from './seeds.js';

/** A small two-level U-Net, so that the taps come before the middle blocks and the decoder. */
const UNET = {
  imageSize: 16,
  channels: 1,
  baseChannels: 4,
  channelMultipliers: [1, 2],
  blocksPerResolution: 1,
  attentionResolutions: [],
  groupNormGroups: 2,
  embeddingSize: 16,
  seed: 0,
};

/**
 * An image distiller on fixed seeds; `adapt` may change the discriminator the loop sees. With
 * `guidanceScale`, the networks are class-conditional (3 classes) and the teacher guided.
 */
function imageDistiller(
  adapt: (discriminator: DistillDiscriminator) => DistillDiscriminator,
  guidanceScale?: number,
) {
  const network = guidanceScale === undefined ? UNET : { ...UNET, classCount: 3 };
  const teacher = new UNetDenoiser(network);
  teacher.setTrainable(false);
  const heads = new ConvDiscriminator({ taps: teacher.featureTaps, seed: 1 });
  const images = tf.randomUniform([8, 16, 16, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
  const labels =
    guidanceScale === undefined ? undefined : tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
  return new Distiller(
    {
      teacher,
      student: new UNetDenoiser({ ...network, seed: 5 }),
      fakeScore: new UNetDenoiser({ ...network, seed: 6 }),
      discriminator: adapt(teacherFeatureDistillDiscriminator(teacher, heads)),
    },
    labels === undefined ? tensorSource(images) : tensorSource(images, labels, 3),
    {
      divergence: getDivergence('forward-kl'),
      batchSize: 4,
      ganWeight: 0.3,
      r1: { gamma: 1 },
      ...(guidanceScale === undefined ? {} : { guidanceScale }),
    },
  );
}

/** The largest difference of two lists of gradients, relative to each one's largest entry. */
function largestRelativeDifference(actual: number[][], expected: number[][]): number {
  return Math.max(
    ...actual.map((gradient, index) => {
      const reference = expected[index] as number[];
      const scale = Math.max(...reference.map(Math.abs), 1e-12);
      return (
        Math.max(...gradient.map((value, at) => Math.abs(value - (reference[at] as number)))) /
        scale
      );
    }),
  );
}

/** The generator's loss, ratio and gradients at step 0 of a distiller's model, as plain numbers. */
async function generatorGradientsOf(distiller: Distiller) {
  const model = new DistillModel(
    distiller.networks,
    distiller.data,
    resolveDistillOptions(distiller.options),
  );
  let kernels = 0;
  let result: ReturnType<DistillModel['generatorGradients']> | undefined;
  const profile = await tf.profile(() => {
    result = model.generatorGradients(0);
  });
  kernels = profile.kernels.length;
  // The work done: every kernel's output elements.
  const elements = profile.kernels.reduce(
    (total, kernel) =>
      total +
      kernel.outputShapes.reduce(
        (sum: number, shape: number[]) =>
          sum + shape.reduce((product, length) => product * length, 1),
        0,
      ),
    0,
  );
  const { loss, ratio, gradients, fDistill, gan, weight } = result as NonNullable<typeof result>;
  const values = {
    loss: loss.dataSync()[0] as number,
    ratio: Array.from(ratio.dataSync()),
    // In the student's parameter order (the map's keys are tfjs variable names, unique per run).
    gradients: Object.values(gradients).map((gradient) => Array.from(gradient.dataSync())),
  };
  tf.dispose([loss, ratio, fDistill, gan, weight, ...Object.values(gradients)]);
  model.dispose();
  return { values, kernels, elements };
}

describe('the image steps share forward passes', { timeout: 30_000 }, () => {
  it('reads the teacher x0 and the taps for the ratio from one teacher pass, with the same gradients', async () => {
    const shared = await generatorGradientsOf(imageDistiller((discriminator) => discriminator));
    // The same loop on an adapter without the shared path: the teacher runs twice off the tape.
    const separate = await generatorGradientsOf(
      imageDistiller(({ module, logits, r1Penalty }) => ({ module, logits, r1Penalty })),
    );
    expect(shared.values.loss).toBeCloseTo(separate.values.loss, 6);
    expect(shared.values.ratio).toEqual(separate.values.ratio);
    expect(shared.values.gradients.length).toBe(separate.values.gradients.length);
    expect(
      largestRelativeDifference(shared.values.gradients, separate.values.gradients),
    ).toBeLessThan(1e-5);
    expect(shared.kernels).toBeLessThan(separate.kernels);
  });

  it('with a guided teacher, reads the taps from the conditional pass and guides with one null-label pass', async () => {
    const shared = await generatorGradientsOf(
      imageDistiller((discriminator) => discriminator, 1.5),
    );
    // Without the shared path: the guided teacher (both branches) and the heads' own pass.
    const separate = await generatorGradientsOf(
      imageDistiller(({ module, logits, r1Penalty }) => ({ module, logits, r1Penalty }), 1.5),
    );
    // Guidance changes the teacher's x0: the gradient differs from the unguided one.
    const unguided = await generatorGradientsOf(
      imageDistiller((discriminator) => discriminator, 1),
    );
    expect(shared.values.loss).toBeCloseTo(separate.values.loss, 6);
    expect(shared.values.ratio).toEqual(separate.values.ratio);
    expect(
      largestRelativeDifference(shared.values.gradients, separate.values.gradients),
    ).toBeLessThan(1e-5);
    expect(
      largestRelativeDifference(unguided.values.gradients, separate.values.gradients),
    ).toBeGreaterThan(1e-3);
    // Two teacher passes of the batch off the tape instead of three (the tape's passes dominate).
    expect(shared.elements).toBeLessThan(separate.elements);
  });

  it('a critic step takes the R1 penalty from the real logits of its loss, with the same update', async () => {
    const run = async (adapt: (discriminator: DistillDiscriminator) => DistillDiscriminator) => {
      let heads: Module | undefined;
      const distiller = imageDistiller((discriminator) => {
        heads = discriminator.module;
        return adapt(discriminator);
      });
      await distiller.step(); // the generator step
      let event: Awaited<ReturnType<Distiller['step']>> | undefined;
      const profile = await tf.profile(async () => {
        event = await distiller.step();
      });
      const kernels = profile.kernels.length;
      const parameters = (heads as Module).parameters().map((p) => Array.from(p.dataSync()));
      return { event: event as NonNullable<typeof event>, kernels, parameters };
    };
    const shared = await run((discriminator) => discriminator);
    const separate = await run(({ module, logits, r1Penalty }) => ({ module, logits, r1Penalty }));
    expect(shared.event.phase).toBe('critic');
    const losses = shared.event.losses as Record<string, number>;
    for (const [name, value] of Object.entries(separate.event.losses)) {
      expect(losses[name], name).toBeCloseTo(value as number, 5);
    }
    expect(losses.r1).toBeGreaterThan(0);
    shared.parameters.forEach((values, index) => {
      const expected = separate.parameters[index] as number[];
      const largest = Math.max(
        ...values.map((value, at) => Math.abs(value - (expected[at] as number))),
      );
      expect(largest, `head parameter ${index}`).toBeLessThan(1e-6);
    });
    expect(shared.kernels).toBeLessThan(separate.kernels);
  });
});

describe('weightingOfSamples on a class-conditional image run', { timeout: 30_000 }, () => {
  it('draws each chunk from its own seeds, with uniform labels and the guided teacher', async () => {
    const distiller = imageDistiller((discriminator) => discriminator, 2);
    const { sigma, ratio, weight, scoreDifference } = await distiller.weightingOfSamples(10, 4, 4);
    expect([sigma, ratio, weight, scoreDifference].map((column) => column.length)).toEqual([
      10, 10, 10, 10,
    ]);
    ratio.forEach((r, index) => {
      expect(weight[index]).toBeCloseTo(getDivergence('forward-kl').h(r), 5);
    });
    // The second chunk (samples 4-7) recomputed from its seeds with the guided teacher.
    const direct = tf.tidy(() => {
      const shape = [4, 16, 16, 1];
      const latent = tf.randomNormal(shape, 0, 1, 'float32', stepSeed(4, 1, 'latent'));
      const labels = uniformLabels(4, 3, stepSeed(4, 1, 'labels'));
      const noise = tf.randomNormal(shape, 0, 1, 'float32', stepSeed(4, 1, 'generator-noise'));
      const sigmas = tf.tensor1d(sigma.slice(4, 8));
      const noised = tf.add(
        distiller.generate(latent, labels),
        tf.mul(tf.reshape(sigmas, [4, 1, 1, 1]), noise),
      );
      const guided = new GuidedDenoiser(distiller.networks.teacher, 2);
      const difference = tf.sub(
        guided.denoise(noised, sigmas, labels),
        distiller.networks.fakeScore.denoise(noised, sigmas, labels),
      );
      const norms = tf.sqrt(tf.sum(tf.square(difference), [1, 2, 3]));
      return tf.div(norms, tf.square(sigmas)).arraySync() as number[];
    });
    direct.forEach((value, index) => {
      expect((scoreDifference[4 + index] as number) / value).toBeCloseTo(1, 4);
    });
    // The labels are uniform over the classes: 3,000 draws, each class within 5 sigma of 1,000.
    const drawn = tf.tidy(() => uniformLabels(3000, 3, stepSeed(4, 0, 'labels')).arraySync());
    for (const label of [0, 1, 2]) {
      expect(Math.abs(drawn.filter((value) => value === label).length - 1000)).toBeLessThan(130);
    }
  });
});
