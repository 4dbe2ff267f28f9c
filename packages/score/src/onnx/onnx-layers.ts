import { GROUP_NORM_EPSILON } from '../layers/group-norm.js';
import { NoiseEmbedding } from '../layers/noise-embedding.js';
import type { OnnxGraphBuilder } from './onnx-graph-builder.js';
import type { StateDictReader } from './state-dict-reader.js';

/** The graph being built and the weights it reads: what every layer below needs. */
export interface OnnxExportContext {
  graph: OnnxGraphBuilder;
  weights: StateDictReader;
}

/**
 * `x W + b` on the last axis (a `Linear` named `prefix`: `prefix.weight` [in, out], `prefix.bias`).
 *
 * @example const hidden = linearGraph(context, 'inputLayer', x, 2, 128); // [batch, 128]
 */
export function linearGraph(
  { graph, weights }: OnnxExportContext,
  prefix: string,
  x: string,
  inFeatures: number,
  outFeatures: number,
): string {
  const weight = graph.addInitializer(
    `${prefix}.weight`,
    'float32',
    [inFeatures, outFeatures],
    weights.read(`${prefix}.weight`, [inFeatures, outFeatures]),
  );
  const bias = graph.addInitializer(
    `${prefix}.bias`,
    'float32',
    [outFeatures],
    weights.read(`${prefix}.bias`, [outFeatures]),
  );
  return graph.add('Add', [graph.add('MatMul', [x, weight]), bias]);
}

/**
 * SiLU as `x * Sigmoid(x)` (onnxruntime fuses it).
 *
 * @example const activated = siluGraph(graph, hidden);
 */
export function siluGraph(graph: OnnxGraphBuilder, x: string): string {
  return graph.add('Mul', [x, graph.add('Sigmoid', [x])]);
}

/**
 * The sinusoidal embedding of `NoiseEmbedding`: `[cos(c f), sin(c f)]` for the noise condition
 * `c` [batch] and the angular `frequencies` (one per cosine): [batch, 2 * frequencies.length].
 *
 * @example const embedding = sinusoidalEmbeddingGraph(graph, noiseCondition, [1, 0.1, 0.01]); // [batch, 6]
 */
export function sinusoidalEmbeddingGraph(
  graph: OnnxGraphBuilder,
  noiseCondition: string,
  frequencies: ArrayLike<number>,
): string {
  const column = graph.add('Unsqueeze', [noiseCondition, graph.addInt64Constant([1])]);
  const row = graph.addFloatConstant(frequencies, [1, frequencies.length]);
  const angles = graph.add('Mul', [column, row]);
  return graph.add('Concat', [graph.add('Cos', [angles]), graph.add('Sin', [angles])], {
    axis: { int: 1 },
  });
}

/**
 * The rows of an `Embedding` table (`prefix.weight` [count, features]) at int64 `labels` [batch].
 *
 * @example const classes = embeddingGraph(context, 'classEmbedding', 'labels', 11, 32); // [batch, 32]
 */
export function embeddingGraph(
  { graph, weights }: OnnxExportContext,
  prefix: string,
  labels: string,
  count: number,
  features: number,
): string {
  const table = graph.addInitializer(
    `${prefix}.weight`,
    'float32',
    [count, features],
    weights.read(`${prefix}.weight`, [count, features]),
  );
  return graph.add('Gather', [table, labels], { axis: { int: 0 } });
}

/** The geometry of a square `Conv2d` with tfjs's `'same'` padding. */
export interface Conv2dGeometry {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  /** Height (= width) of the input, needed to place tfjs's `'same'` padding. */
  inputSize: number;
}

/**
 * A `Conv2d` with `'same'` padding on NCHW `x`: the tfjs kernel [k, k, in, out] is transposed to
 * ONNX's [out, in, k, k], and the padding is placed as tfjs (TensorFlow) places it: the odd zero,
 * if any, at the bottom and right.
 *
 * @example const h = conv2dGraph(context, 'inputConv', x, { inChannels: 3, outChannels: 16, kernelSize: 3, stride: 1, inputSize: 32 });
 */
export function conv2dGraph(
  { graph, weights }: OnnxExportContext,
  prefix: string,
  x: string,
  geometry: Conv2dGeometry,
): string {
  const { inChannels, outChannels, kernelSize, stride, inputSize } = geometry;
  const kernel = weights.read(`${prefix}.weight`, [
    kernelSize,
    kernelSize,
    inChannels,
    outChannels,
  ]);
  const transposed = new Float32Array(kernel.length);
  for (let row = 0; row < kernelSize; row++) {
    for (let column = 0; column < kernelSize; column++) {
      for (let input = 0; input < inChannels; input++) {
        for (let output = 0; output < outChannels; output++) {
          transposed[((output * inChannels + input) * kernelSize + row) * kernelSize + column] =
            kernel[
              ((row * kernelSize + column) * inChannels + input) * outChannels + output
            ] as number;
        }
      }
    }
  }
  const weight = graph.addInitializer(
    `${prefix}.weight`,
    'float32',
    [outChannels, inChannels, kernelSize, kernelSize],
    transposed,
  );
  const bias = graph.addInitializer(
    `${prefix}.bias`,
    'float32',
    [outChannels],
    weights.read(`${prefix}.bias`, [outChannels]),
  );
  const outputSize = Math.ceil(inputSize / stride);
  const total = Math.max((outputSize - 1) * stride + kernelSize - inputSize, 0);
  const before = Math.floor(total / 2);
  const after = total - before;
  return graph.add('Conv', [x, weight, bias], {
    kernel_shape: { ints: [kernelSize, kernelSize] },
    strides: { ints: [stride, stride] },
    pads: { ints: [before, before, after, after] },
  });
}

/**
 * A `GroupNorm` (`prefix.weight`, `prefix.bias` [channels]) on NCHW `x`: mean and variance over
 * each group's channels and positions, `(x - mean) / sqrt(variance + 1e-5)`, then scale and shift.
 * Written with Reshape / ReduceMean (GroupNormalization is not in opset 17).
 *
 * @example const normalized = groupNormGraph(context, 'outputNorm', h, 16, 4);
 */
export function groupNormGraph(
  { graph, weights }: OnnxExportContext,
  prefix: string,
  x: string,
  channels: number,
  groups: number,
): string {
  const grouped = graph.add('Reshape', [x, graph.addInt64Constant([0, groups, -1])]);
  const mean = graph.add('ReduceMean', [grouped], { axes: { ints: [2] }, keepdims: { int: 1 } });
  const centered = graph.add('Sub', [grouped, mean]);
  const variance = graph.add('ReduceMean', [graph.add('Mul', [centered, centered])], {
    axes: { ints: [2] },
    keepdims: { int: 1 },
  });
  const deviation = graph.add('Sqrt', [
    graph.add('Add', [variance, graph.addFloatConstant(GROUP_NORM_EPSILON)]),
  ]);
  const normalized = graph.add('Mul', [centered, graph.add('Reciprocal', [deviation])]);
  const restored = graph.add('Reshape', [normalized, graph.add('Shape', [x])]);
  const scale = graph.addInitializer(
    `${prefix}.weight`,
    'float32',
    [channels, 1, 1],
    weights.read(`${prefix}.weight`, [channels]),
  );
  const shift = graph.addInitializer(
    `${prefix}.bias`,
    'float32',
    [channels, 1, 1],
    weights.read(`${prefix}.bias`, [channels]),
  );
  return graph.add('Add', [graph.add('Mul', [restored, scale]), shift]);
}

/**
 * A `SelfAttention` (`prefix.norm`, `prefix.qkv`, `prefix.projection`) on NCHW `x` [batch,
 * channels, size, size]: `(x + proj(softmax(q k^T / sqrt(channels)) v)) / sqrt(2)`.
 *
 * @example const attended = selfAttentionGraph(context, 'encoder.1.blocks.0.attention', h, 32, 4);
 */
export function selfAttentionGraph(
  context: OnnxExportContext,
  prefix: string,
  x: string,
  channels: number,
  groups: number,
): string {
  const { graph } = context;
  const normalized = groupNormGraph(context, `${prefix}.norm`, x, channels, groups);
  // [batch, channels, size, size] -> [batch, positions, channels]
  const positions = graph.add(
    'Transpose',
    [graph.add('Reshape', [normalized, graph.addInt64Constant([0, channels, -1])])],
    { perm: { ints: [0, 2, 1] } },
  );
  const qkv = linearGraph(context, `${prefix}.qkv`, positions, channels, 3 * channels);
  const [query, key, value] = graph.addNode('Split', [qkv], { axis: { int: 2 } }, 3) as [
    string,
    string,
    string,
  ];
  const keyTransposed = graph.add('Transpose', [key], { perm: { ints: [0, 2, 1] } });
  const scores = graph.add('Mul', [
    graph.add('MatMul', [query, keyTransposed]),
    graph.addFloatConstant(1 / Math.sqrt(channels)),
  ]);
  const attended = graph.add('MatMul', [
    graph.add('Softmax', [scores], { axis: { int: -1 } }),
    value,
  ]);
  const projected = linearGraph(context, `${prefix}.projection`, attended, channels, channels);
  const restored = graph.add('Reshape', [
    graph.add('Transpose', [projected], { perm: { ints: [0, 2, 1] } }),
    graph.add('Shape', [x]),
  ]);
  return graph.add('Mul', [graph.add('Add', [x, restored]), graph.addFloatConstant(Math.SQRT1_2)]);
}

/**
 * Nearest-neighbour 2x upsampling of NCHW `x` (each pixel repeated 2x2), as `nearestUpsample2x`.
 *
 * @example const doubled = nearestUpsample2xGraph(graph, h); // [batch, channels, 2 size, 2 size]
 */
export function nearestUpsample2xGraph(graph: OnnxGraphBuilder, x: string): string {
  return graph.add('Resize', [x, '', graph.addFloatConstant([1, 1, 2, 2])], {
    mode: { string: 'nearest' },
    coordinate_transformation_mode: { string: 'asymmetric' },
    nearest_mode: { string: 'floor' },
  });
}

/**
 * The angular frequencies of a positional `NoiseEmbedding` of `size` features (parameter-free,
 * so not in any state dict), taken from `NoiseEmbedding` itself so the two never disagree.
 *
 * @example positionalFrequencies(4); // [1, 0.01]
 */
export function positionalFrequencies(size: number): number[] {
  const embedding = new NoiseEmbedding({ kind: 'positional', size, seed: 0 });
  const { frequencies } = embedding;
  embedding.dispose();
  return frequencies;
}

/** Layout of a denoiser's conditioning embedding (names of its state-dict entries and sizes). */
export interface ConditioningEmbeddingLayout {
  /** Frequencies of the sinusoidal noise embedding (its width is twice their count). */
  frequencies: ArrayLike<number>;
  /** Classes of a conditional network (the embedding table has one more row: no label). */
  classCount: number | undefined;
  /** The two linear layers after the embedding: state-dict prefixes and widths. */
  layers: [first: string, second: string];
  embeddingWidth: number;
  hiddenWidth: number;
  outputWidth: number;
}

/**
 * The conditioning embedding of the MLP and U-Net denoisers as graph nodes:
 * `silu(second(silu(first(sinusoidal(c_noise) + classEmbedding[labels]))))`, the class term only
 * for a conditional network (`labels` names its int64 [batch] labels).
 *
 * @example conditioningEmbeddingGraph(context, 'c_noise', 'labels', { frequencies, classCount: 10, layers: ['mapLayer0', 'mapLayer1'], embeddingWidth: 32, hiddenWidth: 128, outputWidth: 128 });
 */
export function conditioningEmbeddingGraph(
  context: OnnxExportContext,
  noiseCondition: string,
  labels: string | undefined,
  layout: ConditioningEmbeddingLayout,
): string {
  const { graph } = context;
  let embedding = sinusoidalEmbeddingGraph(graph, noiseCondition, layout.frequencies);
  if (layout.classCount !== undefined) {
    const classes = embeddingGraph(
      context,
      'classEmbedding',
      labels as string,
      layout.classCount + 1,
      layout.embeddingWidth,
    );
    embedding = graph.add('Add', [embedding, classes]);
  }
  const [first, second] = layout.layers;
  embedding = siluGraph(
    graph,
    linearGraph(context, first, embedding, layout.embeddingWidth, layout.hiddenWidth),
  );
  return siluGraph(
    graph,
    linearGraph(context, second, embedding, layout.hiddenWidth, layout.outputWidth),
  );
}
