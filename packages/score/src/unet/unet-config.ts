import {
  assertEvenIntegerAtLeast,
  assertIntegerAtLeast,
  assertPositiveNumber,
  describeValue,
} from '@fdistill/utils';
import { assertSeed } from '../derive-seed.js';
import { DEFAULT_SIGMA_DATA } from '../edm-preconditioning.js';

/**
 * The size of a `UNetDenoiser`. There is no dropout: the forward pass is deterministic.
 *
 * @example
 * // A CIFAR-10-like network (EDM's DDPM++ is baseChannels 128, [2, 2, 2], 4 blocks, attention at 16).
 * const config: UNetConfig = {
 *   imageSize: 32, channels: 3, baseChannels: 64, channelMultipliers: [1, 2, 2],
 *   blocksPerResolution: 2, attentionResolutions: [16], groupNormGroups: 32,
 *   classCount: 10, embeddingSize: 256, seed: 0,
 * };
 */
export interface UNetConfig {
  /** Height and width of the square images; divisible by `2^(channelMultipliers.length - 1)`. */
  imageSize: number;
  /** Image channels, in and out (1 for grey, 3 for RGB). */
  channels: number;
  /** Channels at the full resolution; an even number (it is also the size of the sigma features). */
  baseChannels: number;
  /** One per resolution, from full resolution down: level i has `baseChannels * m_i` channels at `imageSize / 2^i`. */
  channelMultipliers: readonly number[];
  /** Residual blocks per resolution in the encoder (the decoder has as many, each fed one skip). */
  blocksPerResolution: number;
  /** Resolutions whose blocks end with self-attention (the lowest also puts it in the middle). */
  attentionResolutions: readonly number[];
  /** Groups of every GroupNorm; must divide `baseChannels * m` for every multiplier. */
  groupNormGroups: number;
  /** Classes of a class-conditional network (labels `0 .. classCount - 1`, null label `classCount`); omit for unconditional. */
  classCount?: number;
  /** Size of the sigma (and class) embedding vector that every residual block receives. */
  embeddingSize: number;
  /** EDM's sigma_data; default 0.5. */
  sigmaData?: number;
  /** Seed of every initialization. */
  seed: number;
}

/** A validated config with its defaults filled in. */
export type ResolvedUNetConfig = Readonly<UNetConfig & { sigmaData: number }>;

/** One level of the U-Net: its channels, its resolution and whether its blocks attend. */
export interface UNetLevel {
  channels: number;
  resolution: number;
  attention: boolean;
}

/**
 * The levels of a U-Net, from full resolution down: level `i` has `baseChannels *
 * channelMultipliers[i]` channels at `imageSize / 2^i`, with attention where that resolution is
 * one of `attentionResolutions`.
 *
 * @example unetLevels(resolveUNetConfig(config)).map((level) => level.resolution); // [32, 16, 8]
 */
export function unetLevels(config: ResolvedUNetConfig): UNetLevel[] {
  const { imageSize, baseChannels, channelMultipliers, attentionResolutions } = config;
  return channelMultipliers.map((multiplier, level) => {
    const resolution = imageSize / 2 ** level;
    return {
      channels: baseChannels * multiplier,
      resolution,
      attention: attentionResolutions.includes(resolution),
    };
  });
}

const CONFIG_KEYS: ReadonlySet<string> = new Set([
  'imageSize',
  'channels',
  'baseChannels',
  'channelMultipliers',
  'blocksPerResolution',
  'attentionResolutions',
  'groupNormGroups',
  'classCount',
  'embeddingSize',
  'sigmaData',
  'seed',
]);

/**
 * Checks every field of a U-Net config (naming the field in the error) and fills the defaults.
 *
 * @example resolveUNetConfig({ ...config, groupNormGroups: 3 }); // throws: groupNormGroups (3) must divide ...
 */
export function resolveUNetConfig(config: UNetConfig): ResolvedUNetConfig {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`UNetDenoiser: config must be an object, got ${describeValue(config)}`);
  }
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.has(key)) {
      throw new RangeError(
        `UNetDenoiser: unknown config field "${key}" (known: ${[...CONFIG_KEYS].join(', ')})`,
      );
    }
  }
  const name = (field: string) => `UNetDenoiser: config.${field}`;
  assertIntegerAtLeast(name('imageSize'), config.imageSize, 1);
  assertIntegerAtLeast(name('channels'), config.channels, 1);
  assertEvenIntegerAtLeast(name('baseChannels'), config.baseChannels, 2);
  if (!Array.isArray(config.channelMultipliers) || config.channelMultipliers.length === 0) {
    throw new RangeError(
      `${name('channelMultipliers')} must be a non-empty array, got ${describeValue(config.channelMultipliers)}`,
    );
  }
  config.channelMultipliers.forEach((multiplier, index) => {
    assertIntegerAtLeast(`${name('channelMultipliers')}[${index}]`, multiplier, 1);
  });
  assertIntegerAtLeast(name('blocksPerResolution'), config.blocksPerResolution, 1);
  assertIntegerAtLeast(name('groupNormGroups'), config.groupNormGroups, 1);
  assertIntegerAtLeast(name('embeddingSize'), config.embeddingSize, 1);
  if (config.classCount !== undefined) {
    assertIntegerAtLeast(name('classCount'), config.classCount, 1);
  }
  const sigmaData = config.sigmaData ?? DEFAULT_SIGMA_DATA;
  assertPositiveNumber(name('sigmaData'), sigmaData);
  assertSeed(name('seed'), config.seed);

  const levels = config.channelMultipliers.length;
  const factor = 2 ** (levels - 1);
  if (config.imageSize % factor !== 0) {
    throw new RangeError(
      `${name('imageSize')} (${config.imageSize}) must be divisible by 2^${levels - 1} = ${factor}, one halving per extra channel multiplier`,
    );
  }
  for (const multiplier of config.channelMultipliers) {
    const channels = config.baseChannels * multiplier;
    if (channels % config.groupNormGroups !== 0) {
      throw new RangeError(
        `${name('groupNormGroups')} (${config.groupNormGroups}) must divide the channels of every level; it does not divide ${channels} (baseChannels ${config.baseChannels} x multiplier ${multiplier})`,
      );
    }
  }
  const resolutions = config.channelMultipliers.map((_, level) => config.imageSize / 2 ** level);
  if (!Array.isArray(config.attentionResolutions)) {
    throw new RangeError(
      `${name('attentionResolutions')} must be an array (possibly empty), got ${describeValue(config.attentionResolutions)}`,
    );
  }
  for (const resolution of config.attentionResolutions) {
    if (!resolutions.includes(resolution)) {
      throw new RangeError(
        `${name('attentionResolutions')} contains ${describeValue(resolution)}, which is not one of the network's resolutions (${resolutions.join(', ')})`,
      );
    }
  }
  const resolved = {
    imageSize: config.imageSize,
    channels: config.channels,
    baseChannels: config.baseChannels,
    channelMultipliers: Object.freeze([...config.channelMultipliers]),
    blocksPerResolution: config.blocksPerResolution,
    attentionResolutions: Object.freeze([...config.attentionResolutions]),
    groupNormGroups: config.groupNormGroups,
    embeddingSize: config.embeddingSize,
    sigmaData,
    seed: config.seed,
    ...(config.classCount === undefined ? {} : { classCount: config.classCount }),
  };
  return Object.freeze(resolved);
}
