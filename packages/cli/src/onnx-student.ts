import { existsSync, readFileSync } from 'node:fs';
import { loadOnnxRuntime } from '@fdistill/eval/node';
import { deriveSeed } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { ConfigError } from './run-config.js';

/** A one-step student loaded in onnxruntime-node. */
export interface OnnxStudent {
  /** Shape of one sample (the `z` input without its batch dimension). */
  sampleShape: number[];
  /** Number of classes of a class-conditional student (input `labels`), else undefined. */
  classCount: number | undefined;
  /**
   * Runs the model on latents `z` [count, ...sampleShape] in batches (with one label per sample
   * for a class-conditional student); returns the samples.
   */
  generate(latents: Float32Array, count: number, labels?: readonly number[]): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Opens a student exported by `fdistill export` (input `z`, output `samples`) in onnxruntime-node
 * with the CPU execution provider and all graph optimizations.
 *
 * @example const student = await openOnnxStudent('runs/ring8-js-seed0/student.onnx', 256);
 */
export async function openOnnxStudent(path: string, batchSize: number): Promise<OnnxStudent> {
  const ort = await loadOnnxRuntime();
  if (!existsSync(path)) throw new ConfigError(`--onnx ${path}: no such file`);
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    const reason = (error as Error).message.replace(/^Load model from .*? failed:/, '');
    throw new ConfigError(`--onnx ${path} is not a readable ONNX model (${reason.trim()})`);
  }
  const input = session.inputMetadata.find((entry) => entry.name === 'z') as
    | { shape?: unknown[] }
    | undefined;
  if (input === undefined || !session.outputNames.includes('samples')) {
    throw new ConfigError(
      `${path} is not an fdistill student (expected input z and output samples; has ${session.inputNames.join(', ')})`,
    );
  }
  const conditional = session.inputNames.includes('labels');
  const classCount = conditional ? readClassCount(path) : undefined;
  if (conditional && classCount === undefined)
    throw new Error(
      `${path} takes labels but records no classCount in its fdistill.config metadata`,
    );
  const sampleShape = (input.shape ?? []).slice(1).map(Number);
  const sampleSize = sampleShape.reduce((product, size) => product * size, 1);
  return {
    sampleShape,
    classCount,
    async generate(
      latents: Float32Array,
      count: number,
      labels?: readonly number[],
    ): Promise<Float32Array> {
      if (conditional && labels?.length !== count)
        throw new Error(`${path} is class-conditional: give one label per sample (${count})`);
      const output = new Float32Array(count * sampleSize);
      for (let start = 0; start < count; start += batchSize) {
        const size = Math.min(batchSize, count - start);
        const z = new ort.Tensor(
          'float32',
          latents.subarray(start * sampleSize, (start + size) * sampleSize),
          [size, ...sampleShape],
        );
        const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { z };
        if (conditional) {
          feeds.labels = new ort.Tensor(
            'int64',
            BigInt64Array.from((labels as readonly number[]).slice(start, start + size), BigInt),
            [size],
          );
        }
        const result = await session.run(feeds);
        output.set((result.samples as { data: Float32Array }).data, start * sampleSize);
      }
      return output;
    },
    release: () => session.release(),
  };
}

/** Seeded standard-normal latents, drawn with tfjs (the same draws as the tfjs student). */
export function normalLatents(count: number, sampleShape: number[], seed: number): Float32Array {
  // tfjs treats seed 0 as no seed: derive a non-zero one.
  const derived = deriveSeed(seed, 7);
  return tf.tidy(
    () =>
      tf.randomNormal([count, ...sampleShape], 0, 1, 'float32', derived).dataSync() as Float32Array,
  );
}

/** The class count in the `fdistill.config` metadata of an exported network, if any. */
function readClassCount(path: string): number | undefined {
  const model = onnxProto.onnx.ModelProto.decode(readFileSync(path));
  const config = model.metadataProps.find((entry) => entry.key === 'fdistill.config')?.value;
  if (config === undefined || config === null) return undefined;
  const count = (JSON.parse(config) as { classCount?: unknown }).classCount;
  return typeof count === 'number' ? count : undefined;
}
