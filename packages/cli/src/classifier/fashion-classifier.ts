import { Conv2d, deriveSeed, Linear, Module } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs';

/** Config of a `FashionClassifier`: only the seed of its weight initialization. */
export interface FashionClassifierConfig {
  /** Seed of the weight initialization (each layer derives its own seed from it). */
  seed: number;
}

/** Side of the square grayscale images the classifier reads (Fashion-MNIST, unpadded). */
export const FASHION_CLASSIFIER_IMAGE_SIZE = 28;

/** Number of Fashion-MNIST classes, the size of the logits. */
export const FASHION_CLASSIFIER_CLASS_COUNT = 10;

/** Size of the feature vector (the penultimate layer), the space of the domain FID. */
export const FASHION_CLASSIFIER_FEATURE_SIZE = 128;

/**
 * The three 3x3 convolutions, in order: channels in and out, stride, and the side of the input
 * they read (28 -> 28 -> 14 -> 7). Shared by the tfjs network and its ONNX export.
 */
export const FASHION_CLASSIFIER_CONVOLUTIONS = [
  { name: 'convolution0', inChannels: 1, outChannels: 16, stride: 1, inputSize: 28 },
  { name: 'convolution1', inChannels: 16, outChannels: 32, stride: 2, inputSize: 28 },
  { name: 'convolution2', inChannels: 32, outChannels: 64, stride: 2, inputSize: 14 },
] as const;

/** Side of the last feature map (7), before flattening. */
export const FASHION_CLASSIFIER_FINAL_MAP_SIZE = 7;

/** Length of the flattened last feature map: 7 * 7 * 64 = 3136. */
export const FASHION_CLASSIFIER_FLATTENED_SIZE =
  FASHION_CLASSIFIER_FINAL_MAP_SIZE * FASHION_CLASSIFIER_FINAL_MAP_SIZE * 64;

/** What `FashionClassifier.forward` returns. */
export interface FashionClassifierOutput {
  /** The penultimate activations [batch, 128] (after SiLU): the FID feature space. */
  features: tf.Tensor2D;
  /** Unnormalized class scores [batch, 10]. */
  logits: tf.Tensor2D;
}

/** SiLU `x * sigmoid(x)` (first derivatives are all training needs). */
function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * A small convolutional Fashion-MNIST classifier on NHWC images [batch, 28, 28, 1] in [-1, 1]:
 * conv3x3 1->16, SiLU; conv3x3 16->32 stride 2 (14x14), SiLU; conv3x3 32->64 stride 2 (7x7),
 * SiLU; flatten (NHWC order); Linear 3136->128, SiLU = the 128-d `features`; Linear 128->10 =
 * the `logits`. About 425k parameters, cheap enough to train on tfjs wasm in minutes, and the
 * feature extractor of a Fashion-MNIST FID once exported with `exportClassifierToOnnx`.
 *
 * @example
 * const classifier = new FashionClassifier({ seed: 1 });
 * const { features, logits } = classifier.forward(tf.zeros([4, 28, 28, 1])); // [4, 128], [4, 10]
 */
export class FashionClassifier extends Module {
  /** The config the classifier was built from. */
  readonly config: FashionClassifierConfig;
  /** The three convolutions, named `convolution0` .. `convolution2` in the state dict. */
  readonly convolutions: Conv2d[];
  /** Linear 3136 -> 128, whose SiLU output is the features. */
  readonly featureLayer: Linear;
  /** Linear 128 -> 10, the logits. */
  readonly outputLayer: Linear;

  constructor(config: FashionClassifierConfig) {
    super();
    if (typeof config !== 'object' || config === null) {
      throw new TypeError('FashionClassifier: config must be an object { seed }');
    }
    this.config = { seed: config.seed };
    this.convolutions = FASHION_CLASSIFIER_CONVOLUTIONS.map((geometry, index) =>
      this.addModule(
        geometry.name,
        new Conv2d(geometry.inChannels, geometry.outChannels, {
          kernelSize: 3,
          stride: geometry.stride,
          seed: deriveSeed(config.seed, index),
        }),
      ),
    );
    this.featureLayer = this.addModule(
      'featureLayer',
      new Linear(FASHION_CLASSIFIER_FLATTENED_SIZE, FASHION_CLASSIFIER_FEATURE_SIZE, {
        seed: deriveSeed(config.seed, FASHION_CLASSIFIER_CONVOLUTIONS.length),
      }),
    );
    this.outputLayer = this.addModule(
      'outputLayer',
      new Linear(FASHION_CLASSIFIER_FEATURE_SIZE, FASHION_CLASSIFIER_CLASS_COUNT, {
        seed: deriveSeed(config.seed, FASHION_CLASSIFIER_CONVOLUTIONS.length + 1),
      }),
    );
  }

  /** The features [batch, 128] and logits [batch, 10] of images `x` [batch, 28, 28, 1]. */
  forward(x: tf.Tensor): FashionClassifierOutput {
    const size = FASHION_CLASSIFIER_IMAGE_SIZE;
    if (x.rank !== 4 || x.shape[1] !== size || x.shape[2] !== size || x.shape[3] !== 1) {
      throw new RangeError(
        `FashionClassifier: expected images [batch, ${size}, ${size}, 1], got [${x.shape}]`,
      );
    }
    return tf.tidy(() => {
      let hidden: tf.Tensor = x;
      for (const convolution of this.convolutions) hidden = silu(convolution.forward(hidden));
      const flattened = tf.reshape(hidden, [-1, FASHION_CLASSIFIER_FLATTENED_SIZE]);
      const features = silu(this.featureLayer.forward(flattened)) as tf.Tensor2D;
      const logits = this.outputLayer.forward(features) as tf.Tensor2D;
      return { features, logits };
    });
  }
}
