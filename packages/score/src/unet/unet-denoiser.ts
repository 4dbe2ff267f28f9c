import * as tf from '@tensorflow/tfjs-core';
import { assertLabels, nullLabels } from '../class-labels.js';
import { deriveSeed } from '../derive-seed.js';
import { EdmNetwork, type RawNetworkOutput } from '../edm-network.js';
import { Conv2d } from '../layers/conv2d.js';
import { Embedding } from '../layers/embedding.js';
import { GroupNorm } from '../layers/group-norm.js';
import { Linear } from '../layers/linear.js';
import { NoiseEmbedding } from '../layers/noise-embedding.js';
import { twiceDifferentiableSilu } from '../layers/twice-differentiable.js';
import { Module } from '../module.js';
import {
  moduleFromSafetensors,
  moduleToSafetensors,
  NETWORK_CONFIG_KEY,
} from '../state-dict-file.js';
import { Downsample, ResidualBlock, Upsample } from './unet-blocks.js';
import {
  type ResolvedUNetConfig,
  resolveUNetConfig,
  type UNetConfig,
  type UNetLevel,
  unetLevels,
} from './unet-config.js';

/** One feature tap of a `UNetDenoiser`: the encoder's last block at one resolution. */
export interface UNetFeatureTap {
  /** `encoder.<resolution>`, the key in `denoiseWithFeatures(...).features`. */
  name: string;
  resolution: number;
  channels: number;
}

/** Seed streams of the top-level layers (each block derives its own from its stream). */
const STREAM = {
  noiseEmbedding: 0,
  classEmbedding: 1,
  mapLayer0: 2,
  mapLayer1: 3,
  inputConv: 4,
  outputConv: 5,
  middle: 6,
  encoder: 1000,
  decoder: 2000,
} as const;

/** The encoder at one resolution: an optional stride-2 downsample, then residual blocks. */
class EncoderLevel extends Module {
  readonly downsample: Downsample | undefined;
  readonly blocks: ResidualBlock[];

  constructor(downsample: Downsample | undefined, blocks: ResidualBlock[]) {
    super();
    this.downsample =
      downsample === undefined ? undefined : this.addModule('downsample', downsample);
    this.blocks = this.addModuleList('blocks', blocks);
  }
}

/** The decoder at one resolution: residual blocks fed one skip each, then an optional upsample. */
class DecoderLevel extends Module {
  readonly blocks: ResidualBlock[];
  readonly upsample: Upsample | undefined;

  constructor(blocks: ResidualBlock[], upsample: Upsample | undefined) {
    super();
    this.blocks = this.addModuleList('blocks', blocks);
    this.upsample = upsample === undefined ? undefined : this.addModule('upsample', upsample);
  }
}

/**
 * An EDM-preconditioned U-Net for NHWC images (after EDM's DDPM++ / SongUNet), the teacher,
 * fake score and student of f-distill on images.
 *
 * - Embedding: `c_noise` -> sinusoids (`baseChannels` of them) [+ class embedding of the label,
 *   null label `classCount` for classifier-free guidance] -> Linear, SiLU, Linear, SiLU ->
 *   `embeddingSize` features, added (through a per-block Linear) inside every residual block.
 * - Encoder: 3x3 conv to `baseChannels`; at level i (resolution `imageSize / 2^i`, channels
 *   `baseChannels * channelMultipliers[i]`): a stride-2 3x3 conv (i > 0), then
 *   `blocksPerResolution` residual blocks (GroupNorm, SiLU, 3x3 conv; self-attention at the
 *   `attentionResolutions`). The output of each block is kept as a skip.
 * - Middle: two residual blocks at the lowest resolution, the first with attention when that
 *   resolution is in `attentionResolutions`.
 * - Decoder: per level, from the lowest resolution up, `blocksPerResolution` blocks, each on the
 *   concatenation with one skip; nearest-neighbour 2x + 3x3 conv between levels.
 * - Output: GroupNorm, SiLU, 3x3 conv to `channels`.
 *
 * Feature taps: `encoder.<resolution>`, the encoder's last block at each resolution (what
 * FastGen's discriminator reads). Every op has exact second derivatives under tfjs (SiLU,
 * softmax and upsampling are built for it), so an exact R1 penalty can differentiate through it.
 *
 * @example
 * const unet = new UNetDenoiser({
 *   imageSize: 16, channels: 3, baseChannels: 16, channelMultipliers: [1, 2],
 *   blocksPerResolution: 1, attentionResolutions: [8], groupNormGroups: 4,
 *   classCount: 10, embeddingSize: 32, seed: 0,
 * });
 * const { denoised, features } = unet.denoiseWithFeatures(tf.randomNormal([4, 16, 16, 3]), 1.5,
 *   tf.tensor1d([0, 3, 9, 10], 'int32')); // label 10 is the null label
 * features['encoder.8'].shape; // [4, 8, 8, 32]
 */
export class UNetDenoiser extends EdmNetwork {
  /** Number of classes, when the network is class-conditional (the null label is `classCount`). */
  readonly classCount: number | undefined;
  readonly featureNames: readonly string[];
  /** Name, resolution and channels of every feature tap, in encoder order (highest resolution first). */
  readonly featureTaps: readonly UNetFeatureTap[];

  private readonly resolved: ResolvedUNetConfig;
  private readonly noiseEmbedding: NoiseEmbedding;
  private readonly classEmbedding: Embedding | undefined;
  private readonly mapLayer0: Linear;
  private readonly mapLayer1: Linear;
  private readonly inputConv: Conv2d;
  private readonly encoder: EncoderLevel[];
  private readonly middle: ResidualBlock[];
  private readonly decoder: DecoderLevel[];
  private readonly outputNorm: GroupNorm;
  private readonly outputConv: Conv2d;

  constructor(config: UNetConfig) {
    const resolved = resolveUNetConfig(config);
    super(resolved.sigmaData);
    this.resolved = resolved;
    this.classCount = resolved.classCount;
    const { channels, baseChannels, blocksPerResolution, groupNormGroups, embeddingSize, seed } =
      resolved;
    const levels = unetLevels(resolved);
    const block = (inChannels: number, outChannels: number, attention: boolean, stream: number) =>
      new ResidualBlock(inChannels, outChannels, {
        embeddingSize,
        groupNormGroups,
        attention,
        seed: deriveSeed(seed, stream),
      });

    this.noiseEmbedding = new NoiseEmbedding({
      kind: 'positional',
      size: baseChannels,
      seed: deriveSeed(seed, STREAM.noiseEmbedding),
    });
    this.classEmbedding =
      resolved.classCount === undefined
        ? undefined
        : this.addModule(
            'classEmbedding',
            new Embedding(resolved.classCount + 1, baseChannels, {
              seed: deriveSeed(seed, STREAM.classEmbedding),
            }),
          );
    this.mapLayer0 = this.addModule(
      'mapLayer0',
      new Linear(baseChannels, embeddingSize, { seed: deriveSeed(seed, STREAM.mapLayer0) }),
    );
    this.mapLayer1 = this.addModule(
      'mapLayer1',
      new Linear(embeddingSize, embeddingSize, { seed: deriveSeed(seed, STREAM.mapLayer1) }),
    );
    this.inputConv = this.addModule(
      'inputConv',
      new Conv2d(channels, baseChannels, {
        kernelSize: 3,
        seed: deriveSeed(seed, STREAM.inputConv),
      }),
    );

    let stream: number = STREAM.encoder;
    const encoder: EncoderLevel[] = [];
    const taps: UNetFeatureTap[] = [];
    let current = baseChannels;
    for (let level = 0; level < levels.length; level++) {
      const { channels: outChannels, resolution, attention } = levels[level] as UNetLevel;
      const downsample =
        level === 0 ? undefined : new Downsample(current, deriveSeed(seed, stream++));
      const blocks: ResidualBlock[] = [];
      for (let index = 0; index < blocksPerResolution; index++) {
        blocks.push(block(current, outChannels, attention, stream++));
        current = outChannels;
      }
      encoder.push(new EncoderLevel(downsample, blocks));
      taps.push({ name: `encoder.${resolution}`, resolution, channels: outChannels });
    }
    this.encoder = this.addModuleList('encoder', encoder);

    const lowest = levels[levels.length - 1] as UNetLevel;
    this.middle = this.addModuleList('middle', [
      block(current, current, lowest.attention, STREAM.middle),
      block(current, current, false, STREAM.middle + 1),
    ]);

    stream = STREAM.decoder;
    const decoder: DecoderLevel[] = new Array(levels.length);
    for (let level = levels.length - 1; level >= 0; level--) {
      const { channels: outChannels, attention } = levels[level] as UNetLevel;
      const blocks: ResidualBlock[] = [];
      for (let index = 0; index < blocksPerResolution; index++) {
        blocks.push(block(current + outChannels, outChannels, attention, stream++));
        current = outChannels;
      }
      const upsample = level === 0 ? undefined : new Upsample(current, deriveSeed(seed, stream++));
      decoder[level] = new DecoderLevel(blocks, upsample);
    }
    // Registered from full resolution down (decoder.0 is the last level to run).
    this.decoder = this.addModuleList('decoder', decoder);

    this.outputNorm = this.addModule('outputNorm', new GroupNorm(groupNormGroups, baseChannels));
    this.outputConv = this.addModule(
      'outputConv',
      new Conv2d(baseChannels, channels, {
        kernelSize: 3,
        seed: deriveSeed(seed, STREAM.outputConv),
      }),
    );
    this.featureTaps = Object.freeze(taps.map((tap) => Object.freeze(tap)));
    this.featureNames = Object.freeze(taps.map((tap) => tap.name));
  }

  /**
   * Rebuilds a network from bytes written by `toSafetensors` (config from the metadata, then
   * every parameter). A missing or wrongly shaped tensor throws an error naming it.
   *
   * @example const teacher = UNetDenoiser.fromSafetensors(readFileSync('teacher.safetensors'));
   */
  static fromSafetensors(bytes: Uint8Array): UNetDenoiser {
    return moduleFromSafetensors(
      'UNetDenoiser.fromSafetensors',
      bytes,
      (config: UNetConfig) => new UNetDenoiser(config),
    );
  }

  /**
   * The parameters as safetensors bytes, with the config as JSON under the metadata key
   * `config` and `architecture: 'UNetDenoiser'`, so that `UNetDenoiser.fromSafetensors` can
   * rebuild the network.
   *
   * @example writeFileSync('teacher.safetensors', teacher.toSafetensors());
   */
  toSafetensors(metadata: Record<string, string> = {}): Uint8Array {
    return moduleToSafetensors(this, {
      ...metadata,
      architecture: 'UNetDenoiser',
      [NETWORK_CONFIG_KEY]: JSON.stringify(this.config),
    });
  }

  /** The validated config (defaults filled in); `new UNetDenoiser(unet.config)` rebuilds the same network. */
  get config(): ResolvedUNetConfig {
    return this.resolved;
  }

  protected forwardRaw(
    scaledInput: tf.Tensor,
    noiseCondition: tf.Tensor1D,
    labels?: tf.Tensor,
  ): RawNetworkOutput {
    return tf.tidy(() => {
      const { embedding, skips, features } = this.encode(scaledInput, noiseCondition, labels);
      let h = skips.at(-1) as tf.Tensor;
      for (const block of this.middle) h = block.forward(h, embedding);
      for (let index = this.decoder.length - 1; index >= 0; index--) {
        const level = this.decoder[index] as DecoderLevel;
        for (const block of level.blocks) {
          h = block.forward(tf.concat([h, skips.pop() as tf.Tensor], 3), embedding);
        }
        if (level.upsample !== undefined) h = level.upsample.forward(h);
      }
      const output = this.outputConv.forward(twiceDifferentiableSilu(this.outputNorm.forward(h)));
      return { output, features };
    });
  }

  /** The encoder's taps only: neither the middle blocks nor the decoder run. */
  protected override forwardFeatures(
    scaledInput: tf.Tensor,
    noiseCondition: tf.Tensor1D,
    labels?: tf.Tensor,
  ): Record<string, tf.Tensor> {
    return tf.tidy(() => this.encode(scaledInput, noiseCondition, labels).features);
  }

  /**
   * The embedding, the encoder's block outputs (the decoder's skips, in order) and the taps
   * (each level's last block output).
   */
  private encode(scaledInput: tf.Tensor, noiseCondition: tf.Tensor1D, labels?: tf.Tensor) {
    const { imageSize, channels } = this.resolved;
    const shape = scaledInput.shape;
    if (
      shape.length !== 4 ||
      shape[1] !== imageSize ||
      shape[2] !== imageSize ||
      shape[3] !== channels
    ) {
      throw new RangeError(
        `UNetDenoiser: x must be [batch, ${imageSize}, ${imageSize}, ${channels}], got [${shape}]`,
      );
    }
    const embedding = this.embed(noiseCondition, labels, shape[0] as number);
    let h: tf.Tensor = this.inputConv.forward(scaledInput);
    const skips: tf.Tensor[] = [];
    const features: Record<string, tf.Tensor> = {};
    this.encoder.forEach((level, index) => {
      if (level.downsample !== undefined) h = level.downsample.forward(h);
      for (const block of level.blocks) {
        h = block.forward(h, embedding);
        skips.push(h);
      }
      features[this.featureNames[index] as string] = h;
    });
    return { embedding, skips, features };
  }

  /** The per-sample embedding [batch, embeddingSize] of the noise condition and the labels. */
  private embed(
    noiseCondition: tf.Tensor1D,
    labels: tf.Tensor | undefined,
    batch: number,
  ): tf.Tensor {
    if (labels !== undefined) assertLabels('UNetDenoiser: labels', labels, batch, this.classCount);
    let embedding = this.noiseEmbedding.forward(noiseCondition) as tf.Tensor;
    if (this.classEmbedding !== undefined) {
      const classes = labels ?? nullLabels(batch, this.classCount as number);
      embedding = tf.add(embedding, this.classEmbedding.forward(classes));
    }
    embedding = twiceDifferentiableSilu(this.mapLayer0.forward(embedding));
    return twiceDifferentiableSilu(this.mapLayer1.forward(embedding));
  }
}
