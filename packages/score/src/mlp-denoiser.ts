import {
  assertEvenIntegerAtLeast,
  assertIntegerAtLeast,
  assertPositiveNumber,
  describeValue,
} from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels, nullLabels } from './class-labels.js';
import { assertSeed, deriveSeed } from './derive-seed.js';
import { EdmNetwork, type RawNetworkOutput } from './edm-network.js';
import { DEFAULT_SIGMA_DATA } from './edm-preconditioning.js';
import { Embedding } from './layers/embedding.js';
import { InputFourierFeatures } from './layers/input-fourier-features.js';
import { Linear } from './layers/linear.js';
import {
  DEFAULT_FOURIER_SCALE,
  NoiseEmbedding,
  type NoiseEmbeddingKind,
} from './layers/noise-embedding.js';
import { twiceDifferentiableSilu as silu } from './layers/twice-differentiable.js';
import {
  moduleFromSafetensors,
  moduleToSafetensors,
  NETWORK_CONFIG_KEY,
} from './state-dict-file.js';

/** The configuration of an `MlpDenoiser` (what `config` gives back, and checkpoints store). */
export interface MlpDenoiserConfig {
  /** Dimension of the data vectors. */
  dimension: number;
  /** Width of every hidden layer; default 128. */
  width: number;
  /** Number of hidden layers (and of `hidden.<i>` feature taps); default 3. */
  depth: number;
  /** Embedding of `c_noise = ln(sigma) / 4`; default `'fourier'`. */
  embedding: NoiseEmbeddingKind;
  /** Number of sinusoidal features of the noise embedding (even); default 32. */
  embeddingSize: number;
  /** Standard deviation of the Fourier frequencies; default 16 (EDM's NCSN++). */
  fourierScale: number;
  /**
   * Number of random Fourier features of the (preconditioned) input fed to the first layer next
   * to the input itself (even; 0, the default, feeds the input alone). They help a one-step
   * student represent the sharp jumps between many modes.
   */
  inputFeatures: number;
  /** Standard deviation of the input features' frequencies; default 1. */
  inputFeatureScale: number;
  /** Number of classes for a class-conditional network (the null label is `classCount`). */
  classCount?: number;
  /** EDM's sigma_data; default 0.5. */
  sigmaData: number;
  /** Seed of every initialization (and of the Fourier frequencies); default 0. */
  seed: number;
}

/** `MlpDenoiserConfig` with everything but `dimension` optional. */
export type MlpDenoiserOptions = Pick<MlpDenoiserConfig, 'dimension'> &
  Partial<Omit<MlpDenoiserConfig, 'dimension'>>;

/** The defaults of `MlpDenoiserConfig`. */
export const MLP_DENOISER_DEFAULTS = {
  width: 128,
  depth: 3,
  embedding: 'fourier',
  embeddingSize: 32,
  fourierScale: DEFAULT_FOURIER_SCALE,
  inputFeatures: 0,
  inputFeatureScale: 1,
  sigmaData: DEFAULT_SIGMA_DATA,
  seed: 0,
} as const satisfies Partial<MlpDenoiserConfig>;

const CONFIG_KEYS = [
  'dimension',
  'width',
  'depth',
  'embedding',
  'embeddingSize',
  'fourierScale',
  'inputFeatures',
  'inputFeatureScale',
  'classCount',
  'sigmaData',
  'seed',
] as const;

/** The metadata key under which `toSafetensors` stores the config (JSON). */
export const MLP_DENOISER_CONFIG_KEY = NETWORK_CONFIG_KEY;

/**
 * An EDM-preconditioned MLP denoiser for vector data [batch, dimension], the teacher / fake score /
 * student of the mixture experiments. The raw network F:
 *
 * - conditioning `e = SiLU(W_1 SiLU(W_0 (emb(c_noise) + class[label])))` [batch, width], where `emb` is
 *   a Fourier or positional embedding and `class` a table with `classCount + 1` rows (the last is
 *   the null label of classifier-free guidance; labels left out mean the null label);
 * - `h_0 = SiLU(W_in c_in x + e)`, `h_i = SiLU(W_i h_(i-1) + e)` for `i < depth`, each tapped as
 *   feature `hidden.<i>` [batch, width];
 * - `F = W_out h_(depth-1)` [batch, dimension].
 *
 * Parameters, in `namedParameters()` order: `noiseLayer0` [embeddingSize, width] + bias,
 * `noiseLayer1` [width, width] + bias, `classEmbedding.weight` [classCount + 1, embeddingSize]
 * (conditional only), `inputLayer` [dimension, width] + bias, `hiddenLayers.<i>` [width, width] + bias
 * for `i < depth - 1`, `outputLayer` [width, dimension] + bias. The Fourier embedding adds the buffer
 * `noiseEmbedding.frequencies` [embeddingSize / 2] to the state dict (never trained).
 *
 * @example
 * const network = new MlpDenoiser({ dimension: 2, width: 64, depth: 3, seed: 1 });
 * const denoised = network.denoise(tf.randomNormal([16, 2], 0, 1, 'float32', 2), 0.5); // [16, 2]
 */
export class MlpDenoiser extends EdmNetwork {
  /** The full configuration, defaults filled in (a frozen copy). */
  readonly config: Readonly<MlpDenoiserConfig>;
  readonly featureNames: readonly string[];
  readonly classCount: number | undefined;
  private readonly noiseEmbedding: NoiseEmbedding;
  private readonly noiseLayer0: Linear;
  private readonly noiseLayer1: Linear;
  private readonly classEmbedding: Embedding | undefined;
  private readonly inputFourierFeatures: InputFourierFeatures | undefined;
  private readonly inputLayer: Linear;
  private readonly hiddenLayers: Linear[];
  private readonly outputLayer: Linear;

  constructor(options: MlpDenoiserOptions) {
    const config = resolveMlpDenoiserConfig(options);
    super(config.sigmaData);
    this.config = Object.freeze(config);
    this.classCount = config.classCount;
    const { dimension, width, depth, embeddingSize, seed } = config;
    this.featureNames = Object.freeze(Array.from({ length: depth }, (_, i) => `hidden.${i}`));
    this.noiseEmbedding = this.addModule(
      'noiseEmbedding',
      new NoiseEmbedding({
        kind: config.embedding,
        size: embeddingSize,
        seed: deriveSeed(seed, 0),
        fourierScale: config.fourierScale,
      }),
    );
    this.noiseLayer0 = this.addModule(
      'noiseLayer0',
      new Linear(embeddingSize, width, { seed: deriveSeed(seed, 1) }),
    );
    this.noiseLayer1 = this.addModule(
      'noiseLayer1',
      new Linear(width, width, { seed: deriveSeed(seed, 2) }),
    );
    this.classEmbedding =
      config.classCount === undefined
        ? undefined
        : this.addModule(
            'classEmbedding',
            new Embedding(config.classCount + 1, embeddingSize, { seed: deriveSeed(seed, 3) }),
          );
    this.inputFourierFeatures =
      config.inputFeatures === 0
        ? undefined
        : this.addModule(
            'inputFourierFeatures',
            new InputFourierFeatures({
              dimension,
              count: config.inputFeatures,
              scale: config.inputFeatureScale,
              seed: deriveSeed(seed, 6 + depth),
            }),
          );
    this.inputLayer = this.addModule(
      'inputLayer',
      new Linear(dimension + config.inputFeatures, width, { seed: deriveSeed(seed, 4) }),
    );
    this.hiddenLayers = this.addModuleList(
      'hiddenLayers',
      Array.from(
        { length: depth - 1 },
        (_, i) => new Linear(width, width, { seed: deriveSeed(seed, 5 + i) }),
      ),
    );
    this.outputLayer = this.addModule(
      'outputLayer',
      new Linear(width, dimension, { seed: deriveSeed(seed, 5 + depth) }),
    );
  }

  /**
   * Rebuilds a network from bytes written by `toSafetensors` (config from the metadata, then
   * every parameter). A missing or wrongly shaped tensor throws an error naming it.
   *
   * @example const teacher = MlpDenoiser.fromSafetensors(await readFile('teacher.safetensors'));
   */
  static fromSafetensors(bytes: Uint8Array): MlpDenoiser {
    return moduleFromSafetensors(
      'MlpDenoiser.fromSafetensors',
      bytes,
      (config: MlpDenoiserOptions) => new MlpDenoiser(config),
    );
  }

  /**
   * The parameters as safetensors bytes, with the config as JSON under the metadata key
   * `config`, so that `MlpDenoiser.fromSafetensors` can rebuild the network.
   *
   * @example await writeFile('teacher.safetensors', teacher.toSafetensors());
   */
  toSafetensors(metadata: Record<string, string> = {}): Uint8Array {
    return moduleToSafetensors(this, {
      ...metadata,
      architecture: 'MlpDenoiser',
      [MLP_DENOISER_CONFIG_KEY]: JSON.stringify(this.config),
    });
  }

  protected forwardRaw(
    scaledInput: tf.Tensor,
    noiseCondition: tf.Tensor1D,
    labels?: tf.Tensor,
  ): RawNetworkOutput {
    const { dimension } = this.config;
    if (scaledInput.rank !== 2 || scaledInput.shape[1] !== dimension) {
      throw new RangeError(
        `MlpDenoiser: x must have shape [batch, ${dimension}], got [${scaledInput.shape}]`,
      );
    }
    const batch = scaledInput.shape[0] as number;
    if (labels !== undefined) assertLabels('MlpDenoiser: labels', labels, batch, this.classCount);
    return tf.tidy(() => {
      let embedding: tf.Tensor = this.noiseEmbedding.forward(noiseCondition);
      if (this.classEmbedding !== undefined) {
        const classes = labels ?? nullLabels(batch, this.classCount as number);
        embedding = tf.add(embedding, this.classEmbedding.forward(classes));
      }
      const conditioning = silu(
        this.noiseLayer1.forward(silu(this.noiseLayer0.forward(embedding))),
      );
      const features: Record<string, tf.Tensor> = {};
      const input =
        this.inputFourierFeatures === undefined
          ? scaledInput
          : this.inputFourierFeatures.forward(scaledInput);
      let hidden = silu(tf.add(this.inputLayer.forward(input), conditioning));
      features['hidden.0'] = hidden;
      for (const [i, layer] of this.hiddenLayers.entries()) {
        hidden = silu(tf.add(layer.forward(hidden), conditioning));
        features[`hidden.${i + 1}`] = hidden;
      }
      return { output: this.outputLayer.forward(hidden), features };
    });
  }
}

/**
 * Fills the defaults of an MLP config and validates every field, naming the first bad one.
 *
 * @example resolveMlpDenoiserConfig({ dimension: 2 }).width; // 128
 */
export function resolveMlpDenoiserConfig(options: MlpDenoiserOptions): MlpDenoiserConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`MlpDenoiser: config must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new RangeError(
        `MlpDenoiser: unknown config key "${key}" (expected one of ${CONFIG_KEYS.join(', ')})`,
      );
    }
  }
  const config: MlpDenoiserConfig = {
    dimension: options.dimension,
    width: options.width ?? MLP_DENOISER_DEFAULTS.width,
    depth: options.depth ?? MLP_DENOISER_DEFAULTS.depth,
    embedding: options.embedding ?? MLP_DENOISER_DEFAULTS.embedding,
    embeddingSize: options.embeddingSize ?? MLP_DENOISER_DEFAULTS.embeddingSize,
    fourierScale: options.fourierScale ?? MLP_DENOISER_DEFAULTS.fourierScale,
    inputFeatures: options.inputFeatures ?? MLP_DENOISER_DEFAULTS.inputFeatures,
    inputFeatureScale: options.inputFeatureScale ?? MLP_DENOISER_DEFAULTS.inputFeatureScale,
    sigmaData: options.sigmaData ?? MLP_DENOISER_DEFAULTS.sigmaData,
    seed: options.seed ?? MLP_DENOISER_DEFAULTS.seed,
  };
  assertIntegerAtLeast('MlpDenoiser: config.dimension', config.dimension, 1);
  assertIntegerAtLeast('MlpDenoiser: config.width', config.width, 1);
  assertIntegerAtLeast('MlpDenoiser: config.depth', config.depth, 1);
  if (config.embedding !== 'fourier' && config.embedding !== 'positional') {
    throw new RangeError(
      `MlpDenoiser: config.embedding must be 'fourier' or 'positional', got ${describeValue(config.embedding)}`,
    );
  }
  assertEvenIntegerAtLeast('MlpDenoiser: config.embeddingSize', config.embeddingSize, 2);
  assertPositiveNumber('MlpDenoiser: config.fourierScale', config.fourierScale);
  assertEvenIntegerAtLeast('MlpDenoiser: config.inputFeatures', config.inputFeatures, 0);
  assertPositiveNumber('MlpDenoiser: config.inputFeatureScale', config.inputFeatureScale);
  assertPositiveNumber('MlpDenoiser: config.sigmaData', config.sigmaData);
  assertSeed('MlpDenoiser: config.seed', config.seed);
  if (options.classCount !== undefined) {
    assertIntegerAtLeast('MlpDenoiser: config.classCount', options.classCount, 1);
    config.classCount = options.classCount;
  }
  return config;
}
