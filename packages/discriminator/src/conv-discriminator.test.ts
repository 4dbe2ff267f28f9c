import '@tensorflow/tfjs';
import { maxAbs } from '@fdistill/testing';
import { tinyTeacher } from '@fdistill/testing/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConvDiscriminator, defaultGroupNormGroups } from './conv-discriminator.js';
import { discriminate } from './discriminate.js';

describe('ConvDiscriminator', () => {
  it('builds one head per tap as in SPEC 5 and averages their logits', () => {
    const discriminator = new ConvDiscriminator({
      taps: [
        { name: 'encoder.16', resolution: 16, channels: 8 },
        { name: 'encoder.8', resolution: 8, channels: 8 },
      ],
      groupNormGroups: 2,
      seed: 1,
    });
    // Head at 16: [4x4 s2 conv, GN] x 3 (16 -> 8 -> 4, then 4x4 s4 to 1) + a 1x1 conv to 1 logit.
    const stage = 4 * 4 * 8 * 8 + 8 + 2 * 8;
    const output = 8 + 1;
    expect(discriminator.heads[0]?.stages.length).toBe(3);
    expect(discriminator.heads[1]?.stages.length).toBe(2);
    expect(discriminator.heads[0]?.parameterCount()).toBe(3 * stage + output);
    expect(discriminator.parameterCount()).toBe(3 * stage + output + (2 * stage + output));
    expect(discriminator.tapNames).toEqual(['encoder.16', 'encoder.8']);
    expect(discriminator.namedParameters()[0]?.[0]).toBe('heads.0.stages.0.conv.weight');

    const features = {
      'encoder.16': tf.randomNormal([3, 16, 16, 8], 0, 1, 'float32', 2),
      'encoder.8': tf.randomNormal([3, 8, 8, 8], 0, 1, 'float32', 3),
      'encoder.4': tf.zeros([3, 4, 4, 8]), // not read
    };
    const before = tf.memory().numTensors;
    const { logits, meanLogit } = discriminator.forward(features);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(Object.keys(logits)).toEqual(['encoder.16', 'encoder.8']);
    expect(logits['encoder.16']?.shape).toEqual([3]);
    expect(meanLogit.shape).toEqual([3]);
    const average = tf.div(
      tf.add(logits['encoder.16'] as tf.Tensor, logits['encoder.8'] as tf.Tensor),
      2,
    );
    expect(maxAbs(tf.sub(meanLogit, average))).toBeLessThan(1e-6);
    tf.dispose([features, logits, meanLogit, average]);
    discriminator.dispose();
  });

  it('validates taps, groups and features, naming them', () => {
    const tap = { name: 'encoder.8', resolution: 8, channels: 8 };
    expect(() => new ConvDiscriminator({ taps: [], seed: 1 })).toThrow(
      'config.taps must be a non-empty array',
    );
    expect(() => new ConvDiscriminator({ taps: [{ ...tap, resolution: 12 }], seed: 1 })).toThrow(
      'config.taps[0].resolution must be 8, 16, 32, ...',
    );
    expect(() => new ConvDiscriminator({ taps: [{ ...tap, resolution: 4 }], seed: 1 })).toThrow(
      'resolution must be 8, 16, 32',
    );
    expect(() => new ConvDiscriminator({ taps: [tap, tap], seed: 1 })).toThrow('appears twice');
    expect(() => new ConvDiscriminator({ taps: [tap], groupNormGroups: 8, seed: 1 })).toThrow(
      'groupNormGroups (8) must divide the 8 channels of tap "encoder.8" with at least 2 channels per group',
    );
    expect(() => new ConvDiscriminator({ taps: [tap], groupNormGroups: 3, seed: 1 })).toThrow(
      'groupNormGroups (3) must divide',
    );
    expect([8, 4, 2, 256, 48, 36].map(defaultGroupNormGroups)).toEqual([2, 1, 1, 32, 24, 18]);
    const discriminator = new ConvDiscriminator({ taps: [tap], seed: 1 });
    expect(() => discriminator.forward({ 'encoder.16': tf.zeros([1, 16, 16, 8]) })).toThrow(
      'feature "encoder.8" is missing (given: encoder.16)',
    );
    expect(() => discriminator.forward({ 'encoder.8': tf.zeros([1, 8, 8, 4]) })).toThrow(
      'feature "encoder.8" must be [batch, 8, 8, 8], got [1,8,8,4]',
    );
    discriminator.dispose();
  });
});

describe('discriminate', () => {
  it('feeds the teacher taps at x_t to the heads', () => {
    const teacher = tinyTeacher();
    teacher.setTrainable(false);
    const discriminator = new ConvDiscriminator({
      taps: teacher.featureTaps.filter((tap) => [16, 8].includes(tap.resolution)),
      seed: 4,
    });
    const xt = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 5);
    const labels = tf.tensor1d([0, 3], 'int32');
    const output = discriminate(teacher, discriminator, xt, 0.7, labels);
    const { features } = teacher.denoiseWithFeatures(xt, 0.7, labels);
    const direct = discriminator.forward(features);
    expect(maxAbs(tf.sub(output.meanLogit, direct.meanLogit))).toBe(0);
    expect(output.meanLogit.shape).toEqual([2]);

    const reading4 = new ConvDiscriminator({
      taps: [{ name: 'encoder.32', resolution: 32, channels: 8 }],
      seed: 1,
    });
    expect(() => discriminate(teacher, reading4, xt, 0.7)).toThrow(
      'the discriminator reads tap "encoder.32", which the teacher does not have (teacher taps: encoder.16, encoder.8)',
    );
    tf.dispose([xt, labels, output, features, direct]);
    for (const module of [teacher, discriminator, reading4]) module.dispose();
  });
});
