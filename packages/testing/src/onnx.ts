import type * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';

/** Opens ONNX bytes in onnxruntime-node on the CPU with every graph optimization on. */
export function openSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
}

/** An onnxruntime feed from a tfjs tensor (int32 labels become int64). */
export function toOrtTensor(tensor: tf.Tensor): ort.Tensor {
  if (tensor.dtype === 'int32') {
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(tensor.dataSync(), (value) => BigInt(value)),
      tensor.shape,
    );
  }
  return new ort.Tensor('float32', Float32Array.from(tensor.dataSync()), tensor.shape);
}

/** The largest absolute difference between an onnxruntime output and a tfjs tensor. */
export function maxAbsDifference(actual: ort.Tensor, expected: tf.Tensor): number {
  if (actual.dims.join() !== expected.shape.join()) {
    throw new Error(`shape [${actual.dims}] differs from [${expected.shape}]`);
  }
  const values = actual.data as Float32Array;
  const reference = expected.dataSync();
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    const difference = Math.abs((values[i] as number) - (reference[i] as number));
    largest = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : Math.max(largest, difference);
  }
  return largest;
}

export { writeDenseReluModel, writeImageProbeModel } from './onnx-models.js';
