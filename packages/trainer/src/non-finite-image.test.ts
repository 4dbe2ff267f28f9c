import '@tensorflow/tfjs';
import { ConvDiscriminator } from '@fdistill/discriminator';
import { defineDivergence, getDivergence } from '@fdistill/divergence';
import { UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from './checkpoint-bytes.js';
import { memoryCheckpointStore } from './checkpoint-store.js';
import { tensorSource } from './data/tensor-source.js';
import { teacherFeatureDistillDiscriminator } from './discriminator-adapters.js';
import type { DistillOptions } from './distill-options.js';
import { Distiller } from './distiller.js';
import { runTraining } from './run-training.js';

/** A tiny U-Net (8x8, one level, a tap at 8): the image preset's kind of network, in milliseconds. */
const UNET = {
  imageSize: 8,
  channels: 1,
  baseChannels: 4,
  channelMultipliers: [1],
  blocksPerResolution: 1,
  attentionResolutions: [],
  groupNormGroups: 2,
  embeddingSize: 16,
  seed: 0,
};

/** An image distiller whose teacher, data or weighting may carry a NaN. */
function imageDistiller(
  images: tf.Tensor4D,
  options: Partial<DistillOptions> = {},
  poisonTeacher = false,
) {
  const teacher = new UNetDenoiser(UNET);
  if (poisonTeacher) {
    const [first] = teacher.parameters();
    first?.assign(tf.fill(first.shape, Number.NaN));
  }
  teacher.setTrainable(false);
  const copy = () => {
    const network = new UNetDenoiser(UNET);
    network.copyParametersFrom(new UNetDenoiser(UNET));
    return network;
  };
  const heads = new ConvDiscriminator({ taps: teacher.featureTaps, seed: 1 });
  return new Distiller(
    {
      teacher,
      student: copy(),
      fakeScore: copy(),
      discriminator: teacherFeatureDistillDiscriminator(teacher, heads),
    },
    tensorSource(images),
    { divergence: getDivergence('js'), batchSize: 4, fakeUpdateFrequency: 2, ...options },
  );
}

const cleanImages = () => tf.randomUniform([8, 8, 8, 1], -1, 1, 'float32', 3) as tf.Tensor4D;

describe('non-finite values in an image run', { timeout: 30_000 }, () => {
  it('in the data: the first critic step stops, naming the discriminator loss', async () => {
    const poisoned = tf.tidy(() =>
      tf.where(
        tf.greater(tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 4), 0.99),
        tf.fill([8, 8, 8, 1], Number.NaN),
        cleanImages(),
      ),
    ) as tf.Tensor4D;
    const distiller = imageDistiller(poisoned);
    expect((await distiller.step()).phase).toBe('generator');
    await expect(distiller.step()).rejects.toThrow('step 1: discriminator loss is NaN');
  });

  it("in the teacher's weights: the first generator step stops, naming the generator loss", async () => {
    const distiller = imageDistiller(cleanImages(), {}, true);
    await expect(distiller.step()).rejects.toThrow('step 0: generator loss is NaN');
  });

  it('in the per-sample weights of the update: rolled back three times, then stopped', async () => {
    const nanWeighting = defineDivergence({
      ...getDivergence('js'),
      name: 'nan-weighting',
      label: 'NaN weighting',
      hTensor: (ratio) => tf.mul(ratio, Number.NaN),
      weightingExponents: { atZero: 1, atInfinity: 0 },
    });
    const distiller = imageDistiller(cleanImages(), {
      divergence: nanWeighting,
      onNonFinite: 'rollback',
    });
    const checkpoint = memoryCheckpointStore();
    await distiller.saveCheckpoint(checkpoint);
    await expect(runTraining(distiller, { totalSteps: 4, checkpoint })).rejects.toThrow(
      'step 0: generator loss is NaN',
    );
    expect(distiller.steps).toBe(0);
    const learningRates = (bytes: Uint8Array) => {
      const { tensors, state } = decodeCheckpoint(bytes);
      tf.dispose([...tensors.values()]);
      return state.learningRates as Record<string, number>;
    };
    const before = learningRates(checkpoint.read() as Uint8Array);
    const after = memoryCheckpointStore();
    await distiller.saveCheckpoint(after);
    // Three rollbacks, each halving the rates once more than the last: 1/8 in all.
    expect(learningRates(after.read() as Uint8Array).generator).toBeCloseTo(
      (before.generator as number) / 8,
      12,
    );
  });
});
