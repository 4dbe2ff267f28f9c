import type { MlpDenoiser } from '../mlp-denoiser.js';
import type { OnnxRawNetwork } from './onnx-edm-preconditioning.js';
import {
  embeddingGraph,
  linearGraph,
  type OnnxExportContext,
  positionalFrequencies,
  siluGraph,
  sinusoidalEmbeddingGraph,
} from './onnx-layers.js';

/**
 * The raw network F of an `MlpDenoiser` as graph nodes, rebuilt from its config and read from its
 * state dict (the layers and names documented on `MlpDenoiser`): `F(c_in x; c_noise, labels)`
 * [batch, dim]. `labels` names an int64 [batch] value when the network is class-conditional.
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
  const { dim, width, depth, embedding, embeddingSize, classCount } = network.config;
  const { graph, weights } = context;
  return (scaledInput, noiseCondition) => {
    const frequencies =
      embedding === 'fourier'
        ? weights.read('noiseEmbedding.frequencies', [embeddingSize / 2])
        : positionalFrequencies(embeddingSize);
    let conditioning = sinusoidalEmbeddingGraph(graph, noiseCondition, frequencies);
    if (classCount !== undefined) {
      const classes = embeddingGraph(
        context,
        'classEmbedding',
        labels as string,
        classCount + 1,
        embeddingSize,
      );
      conditioning = graph.add('Add', [conditioning, classes]);
    }
    conditioning = siluGraph(
      graph,
      linearGraph(context, 'noiseLayer0', conditioning, embeddingSize, width),
    );
    conditioning = siluGraph(
      graph,
      linearGraph(context, 'noiseLayer1', conditioning, width, width),
    );
    const inputLayer = linearGraph(context, 'inputLayer', scaledInput, dim, width);
    let hidden = siluGraph(graph, graph.add('Add', [inputLayer, conditioning]));
    for (let i = 0; i < depth - 1; i++) {
      const layer = linearGraph(context, `hiddenLayers.${i}`, hidden, width, width);
      hidden = siluGraph(graph, graph.add('Add', [layer, conditioning]));
    }
    return linearGraph(context, 'outputLayer', hidden, width, dim);
  };
}
