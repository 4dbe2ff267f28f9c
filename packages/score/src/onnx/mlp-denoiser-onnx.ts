import type { MlpDenoiser } from '../mlp-denoiser.js';
import type { OnnxRawNetwork } from './onnx-edm-preconditioning.js';
import {
  conditioningEmbeddingGraph,
  linearGraph,
  type OnnxExportContext,
  positionalFrequencies,
  siluGraph,
} from './onnx-layers.js';

/**
 * The raw network F of an `MlpDenoiser` as graph nodes, rebuilt from its config and read from its
 * state dict (the layers and names documented on `MlpDenoiser`): `F(c_in x; c_noise, labels)`
 * [batch, dimension]. `labels` names an int64 [batch] value when the network is class-conditional.
 *
 * @example
 * const raw = mlpRawNetworkGraph(context, network, undefined);
 * edmDenoiserGraph(graph, 'x', 2, { sigmaInput: 'sigma' }, network.sigmaData, raw, 'denoised');
 */
export function mlpRawNetworkGraph(
  context: OnnxExportContext,
  network: MlpDenoiser,
  labels: string | undefined,
): OnnxRawNetwork {
  const { dimension, width, depth, embedding, embeddingSize, classCount, inputFeatures } =
    network.config;
  const { graph, weights } = context;
  return (scaledInput, noiseCondition) => {
    const frequencies =
      embedding === 'fourier'
        ? weights.read('noiseEmbedding.frequencies', [embeddingSize / 2])
        : positionalFrequencies(embeddingSize);
    const conditioning = conditioningEmbeddingGraph(context, noiseCondition, labels, {
      frequencies,
      classCount,
      layers: ['noiseLayer0', 'noiseLayer1'],
      embeddingWidth: embeddingSize,
      hiddenWidth: width,
      outputWidth: width,
    });
    const input =
      inputFeatures === 0
        ? scaledInput
        : inputFourierFeaturesGraph(context, scaledInput, dimension, inputFeatures);
    const inputLayer = linearGraph(context, 'inputLayer', input, dimension + inputFeatures, width);
    let hidden = siluGraph(graph, graph.add('Add', [inputLayer, conditioning]));
    for (let i = 0; i < depth - 1; i++) {
      const layer = linearGraph(context, `hiddenLayers.${i}`, hidden, width, width);
      hidden = siluGraph(graph, graph.add('Add', [layer, conditioning]));
    }
    return linearGraph(context, 'outputLayer', hidden, width, dimension);
  };
}

/** `[x, cos(x B), sin(x B)]` of an `InputFourierFeatures` (`inputFourierFeatures.frequencies` [dimension, count / 2]). */
function inputFourierFeaturesGraph(
  { graph, weights }: OnnxExportContext,
  x: string,
  dimension: number,
  count: number,
): string {
  const name = 'inputFourierFeatures.frequencies';
  const frequencies = graph.addInitializer(
    name,
    'float32',
    [dimension, count / 2],
    weights.read(name, [dimension, count / 2]),
  );
  const angles = graph.add('MatMul', [x, frequencies]);
  return graph.add('Concat', [x, graph.add('Cos', [angles]), graph.add('Sin', [angles])], {
    axis: { int: 1 },
  });
}
