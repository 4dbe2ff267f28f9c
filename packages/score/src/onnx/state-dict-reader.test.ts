import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Linear } from '../layers/linear.js';
import { MlpDenoiser } from '../mlp-denoiser.js';
import { exportDenoiserToOnnx } from './export-denoiser-to-onnx.js';
import { StateDictReader } from './state-dict-reader.js';

/** An MLP with one tensor more than the exporter knows (a network whose structure drifted). */
class DriftedMlp extends MlpDenoiser {
  constructor() {
    super({ dimension: 2, width: 8, seed: 1 });
    this.addParameter('extraGate', tf.ones([8]));
  }
}

describe('StateDictReader', () => {
  it('reads a tensor row-major and checks its shape, naming it', () => {
    const layer = new Linear(2, 3, { seed: 1 });
    const reader = new StateDictReader(layer, 'export');
    expect(Array.from(reader.read('weight', [2, 3]))).toEqual(Array.from(layer.weight.dataSync()));
    expect(() => reader.read('bias', [4])).toThrow(
      'export: tensor "bias" has shape [3], expected [4]',
    );
    expect(() => reader.read('scale', [3])).toThrow(
      'export: the network has no tensor "scale" (expected shape [3])',
    );
    expect(() => reader.assertAllRead()).toThrow(
      'export: the network has tensors the exporter does not know: bias',
    );
    reader.read('bias', [3]);
    expect(() => reader.assertAllRead()).not.toThrow();
    layer.dispose();
  });

  it('makes the exporters refuse a network with a tensor they would leave out', () => {
    const network = new DriftedMlp();
    expect(() => exportDenoiserToOnnx(network)).toThrow(
      'exportDenoiserToOnnx: the network has tensors the exporter does not know: extraGate',
    );
    network.dispose();
  });
});
