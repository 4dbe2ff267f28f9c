import {
  assertSeed,
  DEFAULT_SIGMA_DATA,
  deriveSeed,
  edmCoefficients,
  Linear,
  Module,
  NoiseEmbedding,
  sigmaPerSample,
  twiceDifferentiableSilu,
} from '@fdistill/score';
import {
  assertEvenIntegerAtLeast,
  assertIntegerAtLeast,
  assertPositiveNumber,
  describeValue,
} from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';

/** Options of `MlpDiscriminator`. */
export interface MlpDiscriminatorConfig {
  /** Dimension of the data vectors. */
  dimension: number;
  /** Width of every hidden layer; default 64. */
  width?: number;
  /** Number of hidden layers; default 2. */
  depth?: number;
  /** Size of the sinusoidal embedding of `c_noise = ln(sigma) / 4` (even); default 16. */
  embeddingSize?: number;
  /** EDM's sigma_data: inputs are scaled by `c_in = 1 / sqrt(sigma^2 + sigmaData^2)`; default 0.5. */
  sigmaData?: number;
  /** Seed of the initialization. */
  seed: number;
}

/** The defaults of `MlpDiscriminatorConfig`. */
export const MLP_DISCRIMINATOR_DEFAULTS = Object.freeze({
  width: 64,
  depth: 2,
  embeddingSize: 16,
  sigmaData: DEFAULT_SIGMA_DATA,
});

const CONFIG_KEYS: ReadonlySet<string> = new Set([
  'dimension',
  'width',
  'depth',
  'embeddingSize',
  'sigmaData',
  'seed',
]);

/**
 * The discriminator for vector data (the Gaussian-mixture testbed): an MLP on the noised sample
 * and its noise level, the analogue of the conv heads on the teacher's features. Input:
 * `[c_in(sigma) x_t, positional embedding of ln(sigma) / 4]`, then `depth` x (Linear,
 * SiLU) and a Linear to one logit. Its logit estimates `ln(p_sigma(x_t) / q_sigma(x_t))`, the log
 * density ratio of the real (teacher) over the fake (student) marginal at that noise level.
 * Every op has exact second derivatives under tfjs, so `exactR1Penalty` works on it.
 *
 * @example
 * const discriminator = new MlpDiscriminator({ dimension: 2, seed: 0 });
 * const logits = discriminator.forward(tf.randomNormal([8, 2]), 0.5); // [8]
 */
export class MlpDiscriminator extends Module {
  readonly config: Readonly<Required<MlpDiscriminatorConfig>>;
  readonly hidden: Linear[];
  readonly output: Linear;
  private readonly embedding: NoiseEmbedding;

  constructor(config: MlpDiscriminatorConfig) {
    super();
    if (typeof config !== 'object' || config === null) {
      throw new TypeError(
        `MlpDiscriminator: config must be an object, got ${describeValue(config)}`,
      );
    }
    for (const key of Object.keys(config)) {
      if (!CONFIG_KEYS.has(key)) {
        throw new RangeError(
          `MlpDiscriminator: unknown config field "${key}" (known: ${[...CONFIG_KEYS].join(', ')})`,
        );
      }
    }
    const resolved = { ...MLP_DISCRIMINATOR_DEFAULTS, ...stripUndefined(config) };
    assertIntegerAtLeast('MlpDiscriminator: config.dimension', resolved.dimension, 1);
    assertIntegerAtLeast('MlpDiscriminator: config.width', resolved.width, 1);
    assertIntegerAtLeast('MlpDiscriminator: config.depth', resolved.depth, 1);
    assertEvenIntegerAtLeast('MlpDiscriminator: config.embeddingSize', resolved.embeddingSize, 2);
    assertPositiveNumber('MlpDiscriminator: config.sigmaData', resolved.sigmaData);
    assertSeed('MlpDiscriminator: config.seed', resolved.seed);
    this.config = Object.freeze(resolved);

    this.embedding = new NoiseEmbedding({
      kind: 'positional',
      size: resolved.embeddingSize,
      seed: deriveSeed(resolved.seed, 0),
    });
    const hidden: Linear[] = [];
    let width = resolved.dimension + resolved.embeddingSize;
    for (let index = 0; index < resolved.depth; index++) {
      hidden.push(
        new Linear(width, resolved.width, { seed: deriveSeed(resolved.seed, index + 1) }),
      );
      width = resolved.width;
    }
    this.hidden = this.addModuleList('hidden', hidden);
    this.output = this.addModule(
      'output',
      new Linear(width, 1, { seed: deriveSeed(resolved.seed, 1000) }),
    );
  }

  /** Logits [batch] for `xt` [batch, dimension] at noise level `sigma` (a number or [batch]). */
  forward(xt: tf.Tensor, sigma: number | tf.Tensor): tf.Tensor1D {
    const { dimension, sigmaData } = this.config;
    if (!(xt instanceof tf.Tensor) || xt.rank !== 2 || xt.shape[1] !== dimension) {
      throw new RangeError(
        `MlpDiscriminator: xt must be [batch, ${dimension}], got ${xt instanceof tf.Tensor ? `[${xt.shape}]` : describeValue(xt)}`,
      );
    }
    return tf.tidy(() => {
      const sigmas = sigmaPerSample(sigma, xt.shape[0] as number);
      const coefficients = edmCoefficients(sigmas, sigmaData);
      const scaled = tf.mul(xt, tf.reshape(coefficients.input, [-1, 1]));
      let h: tf.Tensor = tf.concat([scaled, this.embedding.forward(coefficients.noise)], 1);
      for (const layer of this.hidden) h = twiceDifferentiableSilu(layer.forward(h));
      return tf.reshape(this.output.forward(h), [-1]) as tf.Tensor1D;
    });
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
