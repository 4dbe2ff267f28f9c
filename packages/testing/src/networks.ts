/**
 * The tests' tiny U-Net (tfjs's cpu convolutions are slow): 8x8 images with 2 channels, base 8,
 * two levels, attention at 8 and 4, unconditional. Tests that need another shape spread it and
 * name what they change.
 */
export const TINY_UNET = {
  imageSize: 8,
  channels: 2,
  baseChannels: 8,
  channelMultipliers: [1, 2],
  blocksPerResolution: 1,
  attentionResolutions: [8, 4],
  groupNormGroups: 4,
  embeddingSize: 16,
  seed: 7,
};

/** `TINY_UNET` conditioned on two classes (labels 0, 1 and the null label 2). */
export const TINY_CONDITIONAL_UNET = { ...TINY_UNET, classCount: 2 };
