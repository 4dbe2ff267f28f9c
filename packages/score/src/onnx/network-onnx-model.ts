import { describeValue } from '@fdistill/utils';
import { MlpDenoiser } from '../mlp-denoiser.js';
import { UNetDenoiser } from '../unet/unet-denoiser.js';
import { mlpRawNetworkGraph } from './mlp-denoiser-onnx.js';
import { edmDenoiserGraph, type OnnxNoiseLevel } from './onnx-edm-preconditioning.js';
import { OnnxGraphBuilder } from './onnx-graph-builder.js';
import type { OnnxExportContext } from './onnx-layers.js';
import { StateDictReader } from './state-dict-reader.js';
import { unetRawNetworkGraph } from './unet-denoiser-onnx.js';

/** A network the ONNX exporters understand. */
export type OnnxExportableNetwork = MlpDenoiser | UNetDenoiser;

/** What the model computes: a denoiser `D(x; sigma)` or a one-step student `D(sigmaMax z; sigmaMax)`. */
export type OnnxNetworkRole = { role: 'denoiser' } | { role: 'student'; sigmaMax: number };

/**
 * The ModelProto bytes of `network` in `role`, with the metadata `fdistill.*` (architecture,
 * config, role, sigmaData, sigmaMax) after the caller's `metadata`. Shared by
 * `exportDenoiserToOnnx` and `exportStudentToOnnx`, which document the inputs and outputs.
 *
 * @example const bytes = networkOnnxModel('exportDenoiserToOnnx', network, { role: 'denoiser' }, {});
 */
export function networkOnnxModel(
  caller: string,
  network: OnnxExportableNetwork,
  role: OnnxNetworkRole,
  metadata: Readonly<Record<string, string>>,
): Uint8Array {
  const isMlp = network instanceof MlpDenoiser;
  const architecture = isMlp ? 'MlpDenoiser' : 'UNetDenoiser';
  const dataShape = isMlp
    ? [network.config.dimension]
    : [network.config.imageSize, network.config.imageSize, network.config.channels];
  const batchShape = ['batch', ...dataShape];
  const graph = new OnnxGraphBuilder();
  const weights = new StateDictReader(network, caller);
  const context: OnnxExportContext = { graph, weights };

  let x: string;
  let noiseLevel: OnnxNoiseLevel;
  if (role.role === 'denoiser') {
    x = graph.addInput('x', 'float32', batchShape, 'noisy data x = x0 + sigma n');
    const sigma = graph.addInput('sigma', 'float32', ['batch'], 'noise level per sample, > 0');
    noiseLevel = { sigmaInput: sigma };
  } else {
    const z = graph.addInput('z', 'float32', batchShape, 'standard normal noise');
    x = graph.add('Mul', [z, graph.addFloatConstant(role.sigmaMax)]);
    noiseLevel = { fixedSigma: role.sigmaMax };
  }
  const labels =
    network.classCount === undefined
      ? undefined
      : graph.addInput(
          'labels',
          'int64',
          ['batch'],
          `class per sample, 0..${network.classCount - 1}, or ${network.classCount} for none`,
        );
  const raw = isMlp
    ? mlpRawNetworkGraph(context, network, labels)
    : unetRawNetworkGraph(context, network as UNetDenoiser, labels);
  const outputName = role.role === 'denoiser' ? 'denoised' : 'samples';
  edmDenoiserGraph(graph, x, batchShape.length, noiseLevel, network.sigmaData, raw, outputName);
  graph.addOutput(
    outputName,
    'float32',
    batchShape,
    role.role === 'denoiser' ? 'D(x; sigma), the estimate of x0' : 'one-step samples G(z)',
  );
  weights.assertAllRead();
  return graph.encode({
    graphName: `${architecture} ${role.role}`,
    docString:
      role.role === 'denoiser'
        ? `EDM-preconditioned ${architecture}: D(x; sigma) = c_skip x + c_out F(c_in x; ln(sigma) / 4)`
        : `One-step student: G(z) = D(${role.sigmaMax} z; ${role.sigmaMax}) of an EDM-preconditioned ${architecture}`,
    metadata: {
      ...metadata,
      'fdistill.architecture': architecture,
      'fdistill.config': JSON.stringify(network.config),
      'fdistill.role': role.role,
      'fdistill.sigmaData': String(network.sigmaData),
      ...(role.role === 'student' ? { 'fdistill.sigmaMax': String(role.sigmaMax) } : {}),
    },
  });
}

/**
 * Throws a TypeError naming `argument` unless `network` is an `MlpDenoiser` or a `UNetDenoiser`.
 *
 * @example assertExportableNetwork('exportDenoiserToOnnx: network', network);
 */
export function assertExportableNetwork(
  argument: string,
  network: unknown,
): asserts network is OnnxExportableNetwork {
  if (!(network instanceof MlpDenoiser) && !(network instanceof UNetDenoiser)) {
    throw new TypeError(
      `${argument} must be an MlpDenoiser or a UNetDenoiser, got ${network instanceof Object ? network.constructor.name : describeValue(network)}`,
    );
  }
}

/**
 * Checks `metadata` (string values only), naming `argument`, and returns it ({} when undefined).
 *
 * @example assertMetadata('exportDenoiserToOnnx: options.metadata', { run: 'a1' });
 */
export function assertMetadata(argument: string, metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError(`${argument} must be an object of strings, got ${describeValue(metadata)}`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new TypeError(`${argument}["${key}"] must be a string, got ${describeValue(value)}`);
    }
  }
  return metadata as Record<string, string>;
}
