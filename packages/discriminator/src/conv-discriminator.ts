import {
  assertSeed,
  Conv2d,
  deriveSeed,
  GroupNorm,
  Module,
  twiceDifferentiableSilu,
} from '@fdistill/score';
import { assertIntegerAtLeast, describeValue } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';

/** A feature map a head reads: its tap name, resolution (height = width) and channels. */
export interface DiscriminatorTap {
  /** Key in the teacher's `features`, e.g. `'encoder.8'`. */
  name: string;
  /** Height and width of the feature map: 8, 16, 32, ... (8 times a power of two). */
  resolution: number;
  channels: number;
}

/** Options of `ConvDiscriminator`. */
export interface ConvDiscriminatorConfig {
  /** One head per tap (FastGen: CIFAR-10 reads 32, 16 and 8; ImageNet-64 reads 8). */
  taps: readonly DiscriminatorTap[];
  /**
   * Groups of every GroupNorm of the heads; must divide every tap's channels with at least 2
   * channels per group. Default: FastGen's rule per tap (`defaultGroupNormGroups`).
   */
  groupNormGroups?: number;
  /** Seed of the initialization. */
  seed: number;
}

/** What a discriminator says about a batch: one logit per head and sample, and their mean. */
export type DiscriminatorOutput = {
  /** Logits [batch] by tap name. */
  logits: Record<string, tf.Tensor1D>;
  /** The mean over heads [batch]: the estimate of `ln(p_teacher / q_student)` at each sample. */
  meanLogit: tf.Tensor1D;
};

/**
 * FastGen's GroupNorm group count for `channels`: a quarter of the channels (at least 1) up to
 * 32 channels, else 32, lowered to the nearest divisor of `channels`.
 *
 * @example [defaultGroupNormGroups(8), defaultGroupNormGroups(256), defaultGroupNormGroups(48)]; // [2, 32, 24]
 */
export function defaultGroupNormGroups(channels: number): number {
  assertIntegerAtLeast('defaultGroupNormGroups: channels', channels, 1);
  let groups = channels <= 32 ? Math.max(1, Math.floor(channels / 4)) : 32;
  while (channels % groups !== 0) groups -= 1;
  return groups;
}

/**
 * A convolution, GroupNorm and SiLU: one stage of a `DiscriminatorHead`.
 *
 * @example new ConvNormSilu(new Conv2d(8, 8, { kernelSize: 4, stride: 2, seed: 0 }), new GroupNorm(2, 8));
 */
export class ConvNormSilu extends Module {
  readonly conv: Conv2d;
  readonly norm: GroupNorm;

  constructor(conv: Conv2d, norm: GroupNorm) {
    super();
    this.conv = this.addModule('conv', conv);
    this.norm = this.addModule('norm', norm);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => twiceDifferentiableSilu(this.norm.forward(this.conv.forward(x))));
  }
}

/**
 * One head (paper App. B, FastGen's `Discriminator_EDM`): while the resolution is above 8,
 * [Conv 4x4 stride 2, GroupNorm, SiLU]; then Conv 4x4 stride 2 (8 -> 4), GroupNorm, SiLU,
 * Conv 4x4 stride 4 (4 -> 1), GroupNorm, SiLU, and a 1x1 convolution to one logit. Every
 * convolution keeps the tap's channel count.
 */
export class DiscriminatorHead extends Module {
  readonly stages: ConvNormSilu[];
  readonly output: Conv2d;

  constructor(
    readonly tap: Readonly<DiscriminatorTap>,
    groupNormGroups: number,
    seed: number,
  ) {
    super();
    const { channels } = tap;
    const stages: ConvNormSilu[] = [];
    const stage = (stride: number, padding: number) =>
      new ConvNormSilu(
        new Conv2d(channels, channels, {
          kernelSize: 4,
          stride,
          padding,
          seed: deriveSeed(seed, stages.length),
        }),
        new GroupNorm(groupNormGroups, channels),
      );
    for (let resolution = tap.resolution; resolution > 8; resolution /= 2) {
      stages.push(stage(2, 1));
    }
    stages.push(stage(2, 1)); // 8 -> 4
    stages.push(stage(4, 0)); // 4 -> 1
    this.stages = this.addModuleList('stages', stages);
    this.output = this.addModule(
      'output',
      new Conv2d(channels, 1, { kernelSize: 1, padding: 'valid', seed: deriveSeed(seed, 1000) }),
    );
  }

  /** Logits [batch] of a feature map [batch, resolution, resolution, channels]. */
  forward(feature: tf.Tensor): tf.Tensor1D {
    const { name, resolution, channels } = this.tap;
    const shape = feature.shape;
    if (
      feature.rank !== 4 ||
      shape[1] !== resolution ||
      shape[2] !== resolution ||
      shape[3] !== channels
    ) {
      throw new RangeError(
        `ConvDiscriminator: feature "${name}" must be [batch, ${resolution}, ${resolution}, ${channels}], got [${shape}]`,
      );
    }
    return tf.tidy(() => {
      let h = feature;
      for (const stage of this.stages) h = stage.forward(h);
      return tf.reshape(this.output.forward(h), [-1]) as tf.Tensor1D;
    });
  }
}

/**
 * f-distill's image discriminator: small convolutional heads on feature taps of the frozen
 * teacher, one per chosen resolution. `forward(features)` gives each head's logit and their mean
 * (the mean logit estimates `ln(p/q)`, the log density ratio of teacher over student).
 * Its parameters are the heads' only; the teacher is not part of it.
 *
 * @example
 * const discriminator = new ConvDiscriminator({
 *   taps: teacher.featureTaps.filter((tap) => tap.resolution === 8), seed: 0,
 * });
 * const { logits, meanLogit } = discriminator.forward(teacher.denoiseWithFeatures(xt, sigma).features);
 */
export class ConvDiscriminator extends Module {
  /** The config it was built with (another copy of the heads is `new ConvDiscriminator(config)`). */
  readonly config: Readonly<ConvDiscriminatorConfig>;
  readonly heads: DiscriminatorHead[];
  /** Tap names, one per head, in config order. */
  readonly tapNames: readonly string[];

  constructor(config: ConvDiscriminatorConfig) {
    super();
    if (typeof config !== 'object' || config === null) {
      throw new TypeError(
        `ConvDiscriminator: config must be an object, got ${describeValue(config)}`,
      );
    }
    assertSeed('ConvDiscriminator: config.seed', config.seed);
    if (!Array.isArray(config.taps) || config.taps.length === 0) {
      throw new RangeError(
        `ConvDiscriminator: config.taps must be a non-empty array, got ${describeValue(config.taps)}`,
      );
    }
    if (config.groupNormGroups !== undefined) {
      assertIntegerAtLeast('ConvDiscriminator: config.groupNormGroups', config.groupNormGroups, 1);
    }
    const names = new Set<string>();
    const heads = config.taps.map((tap, index) => {
      const label = `ConvDiscriminator: config.taps[${index}]`;
      if (typeof tap?.name !== 'string' || tap.name === '') {
        throw new RangeError(
          `${label}.name must be a non-empty string, got ${describeValue(tap?.name)}`,
        );
      }
      if (names.has(tap.name)) {
        throw new RangeError(`${label}.name "${tap.name}" appears twice; one head per tap`);
      }
      names.add(tap.name);
      assertIntegerAtLeast(`${label}.channels`, tap.channels, 1);
      if (!isEightTimesPowerOfTwo(tap.resolution)) {
        throw new RangeError(
          `${label}.resolution must be 8, 16, 32, ... (the head halves it to 8, then to 4 and 1), got ${describeValue(tap.resolution)}`,
        );
      }
      const groups = config.groupNormGroups ?? defaultGroupNormGroups(tap.channels);
      if (tap.channels % groups !== 0 || tap.channels / groups < 2) {
        throw new RangeError(
          `ConvDiscriminator: groupNormGroups (${groups}) must divide the ${tap.channels} channels of tap "${tap.name}" with at least 2 channels per group (at 1x1 a group of one channel normalizes to a constant)`,
        );
      }
      return new DiscriminatorHead({ ...tap }, groups, deriveSeed(config.seed, index));
    });
    this.config = Object.freeze({ ...config, taps: config.taps.map((tap) => ({ ...tap })) });
    this.heads = this.addModuleList('heads', heads);
    this.tapNames = Object.freeze(heads.map((head) => head.tap.name));
  }

  /** Each head's logit [batch] and their mean, from the taps in `features` (other keys are ignored). */
  forward(features: Record<string, tf.Tensor>): DiscriminatorOutput {
    if (typeof features !== 'object' || features === null) {
      throw new TypeError(
        `ConvDiscriminator.forward(features): features must be a record of tensors, got ${describeValue(features)}`,
      );
    }
    for (const name of this.tapNames) {
      if (!(features[name] instanceof tf.Tensor)) {
        throw new RangeError(
          `ConvDiscriminator.forward(features): feature "${name}" is missing (given: ${Object.keys(features).join(', ') || 'none'})`,
        );
      }
    }
    return tf.tidy(() => {
      const logits: Record<string, tf.Tensor1D> = {};
      for (const head of this.heads) {
        logits[head.tap.name] = head.forward(features[head.tap.name] as tf.Tensor);
      }
      const meanLogit = tf.mean(tf.stack(Object.values(logits)), 0) as tf.Tensor1D;
      return { logits, meanLogit };
    });
  }
}

function isEightTimesPowerOfTwo(value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 8) return false;
  let remaining = value / 8;
  while (remaining > 1 && Number.isInteger(remaining)) remaining /= 2;
  return remaining === 1;
}
