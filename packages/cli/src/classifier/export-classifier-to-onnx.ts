import {
  conv2dGraph,
  linearGraph,
  type OnnxExportContext,
  OnnxGraphBuilder,
  StateDictReader,
  siluGraph,
} from '@fdistill/score';
import {
  FASHION_CLASSIFIER_CLASS_COUNT,
  FASHION_CLASSIFIER_CONVOLUTIONS,
  FASHION_CLASSIFIER_FEATURE_SIZE,
  FASHION_CLASSIFIER_FLATTENED_SIZE,
  FASHION_CLASSIFIER_IMAGE_SIZE,
  FashionClassifier,
} from './fashion-classifier.js';

/** Options of `exportClassifierToOnnx`. */
export interface ClassifierOnnxExportOptions {
  /** Extra `metadata_props` of the model (string values), e.g. the measured test accuracy. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Exports a `FashionClassifier` to ONNX (opset 17) from its weights, as the bytes of a `.onnx`
 * file, built with the project's `OnnxGraphBuilder`:
 *
 * - input `images`: float32 [batch, 28, 28, 1], NHWC as in tfjs, pixels in [-1, 1];
 * - output `features`: float32 [batch, 128], the penultimate activations (the FID features);
 * - output `logits`: float32 [batch, 10], the class scores.
 *
 * Inside, the convolutions run NCHW (one Transpose in); the last feature map is transposed back to
 * NHWC before flattening, so the flattened order is the one tfjs's `featureLayer` was trained on.
 * `batch` is dynamic. The weights are read synchronously (`dataSync`) when this is called.
 *
 * @example
 * await writeFile('classifier.onnx', exportClassifierToOnnx(classifier));
 * const session = await InferenceSession.create('classifier.onnx');
 * const { features, logits } = await session.run({ images: new Tensor('float32', pixels, [1, 28, 28, 1]) });
 */
export function exportClassifierToOnnx(
  classifier: FashionClassifier,
  options: ClassifierOnnxExportOptions = {},
): Uint8Array {
  if (!(classifier instanceof FashionClassifier)) {
    throw new TypeError('exportClassifierToOnnx: classifier must be a FashionClassifier');
  }
  const metadata = options.metadata ?? {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new TypeError(`exportClassifierToOnnx: options.metadata["${key}"] must be a string`);
    }
  }
  const graph = new OnnxGraphBuilder();
  const weights = new StateDictReader(classifier, 'exportClassifierToOnnx');
  const context: OnnxExportContext = { graph, weights };
  const size = FASHION_CLASSIFIER_IMAGE_SIZE;

  const images = graph.addInput(
    'images',
    'float32',
    ['batch', size, size, 1],
    'grayscale images, NHWC, pixels in [-1, 1]',
  );
  let hidden = graph.add('Transpose', [images], { perm: { ints: [0, 3, 1, 2] } });
  for (const geometry of FASHION_CLASSIFIER_CONVOLUTIONS) {
    const convolution = conv2dGraph(context, geometry.name, hidden, {
      inChannels: geometry.inChannels,
      outChannels: geometry.outChannels,
      kernelSize: 3,
      stride: geometry.stride,
      inputSize: geometry.inputSize,
    });
    hidden = siluGraph(graph, convolution);
  }
  const channelsLast = graph.add('Transpose', [hidden], { perm: { ints: [0, 2, 3, 1] } });
  const flattened = graph.add('Reshape', [
    channelsLast,
    graph.addInt64Constant([-1, FASHION_CLASSIFIER_FLATTENED_SIZE]),
  ]);
  const featureLayer = linearGraph(
    context,
    'featureLayer',
    flattened,
    FASHION_CLASSIFIER_FLATTENED_SIZE,
    FASHION_CLASSIFIER_FEATURE_SIZE,
  );
  const features = graph.add(
    'Mul',
    [featureLayer, graph.add('Sigmoid', [featureLayer])],
    {},
    'features',
  );
  const outputLayer = linearGraph(
    context,
    'outputLayer',
    features,
    FASHION_CLASSIFIER_FEATURE_SIZE,
    FASHION_CLASSIFIER_CLASS_COUNT,
  );
  const logits = graph.add('Identity', [outputLayer], {}, 'logits');
  graph.addOutput(
    features,
    'float32',
    ['batch', FASHION_CLASSIFIER_FEATURE_SIZE],
    'penultimate activations (SiLU of featureLayer), the FID feature space',
  );
  graph.addOutput(logits, 'float32', ['batch', FASHION_CLASSIFIER_CLASS_COUNT], 'class scores');
  weights.assertAllRead();
  return graph.encode({
    graphName: 'FashionClassifier',
    docString:
      'Fashion-MNIST classifier: images [batch, 28, 28, 1] in [-1, 1] -> features [batch, 128], logits [batch, 10]',
    metadata: {
      ...metadata,
      'fdistill.architecture': 'FashionClassifier',
      'fdistill.config': JSON.stringify(classifier.config),
      'fdistill.role': 'classifier',
    },
  });
}
