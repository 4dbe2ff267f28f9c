import { type UNetLevel, unetLevels } from '../unet/unet-config.js';
import type { UNetDenoiser } from '../unet/unet-denoiser.js';
import type { OnnxRawNetwork } from './onnx-edm-preconditioning.js';
import {
  conditioningEmbeddingGraph,
  conv2dGraph,
  groupNormGraph,
  linearGraph,
  nearestUpsample2xGraph,
  type OnnxExportContext,
  positionalFrequencies,
  selfAttentionGraph,
  siluGraph,
} from './onnx-layers.js';

/**
 * One residual block of the U-Net as NCHW graph nodes (GroupNorm, SiLU, 3x3 conv, the embedding's
 * per-channel shift, again, a 1x1 skip conv when the width changes, the sum scaled by 1/sqrt 2,
 * and self-attention when asked), its weights read under `prefix`.
 */
function residualBlockGraph(
  context: OnnxExportContext,
  network: UNetDenoiser,
  prefix: string,
  x: string,
  block: {
    inChannels: number;
    outChannels: number;
    size: number;
    attention: boolean;
    embedding: string;
  },
): string {
  const { graph } = context;
  const { groupNormGroups, embeddingSize } = network.config;
  const { inChannels, outChannels, size, attention, embedding } = block;
  const conv = (name: string, input: string, from: number, kernelSize: number) =>
    conv2dGraph(context, `${prefix}.${name}`, input, {
      inChannels: from,
      outChannels,
      kernelSize,
      stride: 1,
      inputSize: size,
    });
  const norm0 = groupNormGraph(context, `${prefix}.norm0`, x, inChannels, groupNormGroups);
  let h = conv('conv0', siluGraph(graph, norm0), inChannels, 3);
  const shift = graph.add('Reshape', [
    linearGraph(context, `${prefix}.affine`, embedding, embeddingSize, outChannels),
    graph.addInt64Constant([-1, outChannels, 1, 1]),
  ]);
  h = graph.add('Add', [h, shift]);
  const norm1 = groupNormGraph(context, `${prefix}.norm1`, h, outChannels, groupNormGroups);
  h = conv('conv1', siluGraph(graph, norm1), outChannels, 3);
  const skip = inChannels === outChannels ? x : conv('skip', x, inChannels, 1);
  const output = graph.add('Mul', [
    graph.add('Add', [h, skip]),
    graph.addFloatConstant(Math.SQRT1_2),
  ]);
  if (!attention) return output;
  return selfAttentionGraph(context, `${prefix}.attention`, output, outChannels, groupNormGroups);
}

/**
 * The raw network F of a `UNetDenoiser` as graph nodes, rebuilt from its config the way its
 * constructor builds it and read from its state dict by name: `F(c_in x; c_noise, labels)` on
 * NHWC `x` [batch, size, size, channels]. Inside, the graph runs NCHW (ONNX's Conv layout): one
 * Transpose in, one out. `labels` names an int64 [batch] value when the network is conditional.
 *
 * @example
 * const raw = unetRawNetworkGraph(context, unet, 'labels');
 * edmDenoiserGraph(graph, 'x', 4, { sigmaInput: 'sigma' }, unet.sigmaData, raw, 'denoised');
 */
export function unetRawNetworkGraph(
  context: OnnxExportContext,
  network: UNetDenoiser,
  labels: string | undefined,
): OnnxRawNetwork {
  const {
    imageSize,
    channels,
    baseChannels,
    blocksPerResolution,
    groupNormGroups,
    embeddingSize,
    classCount,
  } = network.config;
  const { graph } = context;
  const levels = unetLevels(network.config);

  const block = (
    prefix: string,
    x: string,
    inChannels: number,
    outChannels: number,
    size: number,
    attention: boolean,
    embedding: string,
  ): string =>
    residualBlockGraph(context, network, prefix, x, {
      inChannels,
      outChannels,
      size,
      attention,
      embedding,
    });

  return (scaledInput, noiseCondition) => {
    const embedding = conditioningEmbeddingGraph(context, noiseCondition, labels, {
      frequencies: positionalFrequencies(baseChannels),
      classCount,
      layers: ['mapLayer0', 'mapLayer1'],
      embeddingWidth: baseChannels,
      hiddenWidth: embeddingSize,
      outputWidth: embeddingSize,
    });

    const nchw = graph.add('Transpose', [scaledInput], { perm: { ints: [0, 3, 1, 2] } });
    let h = conv2dGraph(context, 'inputConv', nchw, {
      inChannels: channels,
      outChannels: baseChannels,
      kernelSize: 3,
      stride: 1,
      inputSize: imageSize,
    });
    let current = baseChannels;
    const skips: string[] = [];
    for (let level = 0; level < levels.length; level++) {
      const { channels: outChannels, resolution, attention } = levels[level] as UNetLevel;
      if (level > 0) {
        h = conv2dGraph(context, `encoder.${level}.downsample.conv`, h, {
          inChannels: current,
          outChannels: current,
          kernelSize: 3,
          stride: 2,
          inputSize: resolution * 2,
        });
      }
      for (let index = 0; index < blocksPerResolution; index++) {
        const prefix = `encoder.${level}.blocks.${index}`;
        h = block(prefix, h, current, outChannels, resolution, attention, embedding);
        skips.push(h);
        current = outChannels;
      }
    }

    const lowest = levels[levels.length - 1] as UNetLevel;
    h = block('middle.0', h, current, current, lowest.resolution, lowest.attention, embedding);
    h = block('middle.1', h, current, current, lowest.resolution, false, embedding);

    for (let level = levels.length - 1; level >= 0; level--) {
      const { channels: outChannels, resolution, attention } = levels[level] as UNetLevel;
      for (let index = 0; index < blocksPerResolution; index++) {
        const joined = graph.add('Concat', [h, skips.pop() as string], { axis: { int: 1 } });
        const prefix = `decoder.${level}.blocks.${index}`;
        h = block(
          prefix,
          joined,
          current + outChannels,
          outChannels,
          resolution,
          attention,
          embedding,
        );
        current = outChannels;
      }
      if (level > 0) {
        h = conv2dGraph(
          context,
          `decoder.${level}.upsample.conv`,
          nearestUpsample2xGraph(graph, h),
          {
            inChannels: current,
            outChannels: current,
            kernelSize: 3,
            stride: 1,
            inputSize: resolution * 2,
          },
        );
      }
    }

    const normalized = groupNormGraph(context, 'outputNorm', h, baseChannels, groupNormGroups);
    const output = conv2dGraph(context, 'outputConv', siluGraph(graph, normalized), {
      inChannels: baseChannels,
      outChannels: channels,
      kernelSize: 3,
      stride: 1,
      inputSize: imageSize,
    });
    return graph.add('Transpose', [output], { perm: { ints: [0, 2, 3, 1] } });
  };
}
