import { type ArrayInput, assertAllFinite, readArrayInput } from './array-input.js';
import type { FeatureArray, FeatureExtractor } from './feature-extractor.js';
import { extractInBatches, type OnnxModelOptions, openOnnxFeatureSession } from './onnx-session.js';

/** Options of `createOnnxFeatureExtractor`. */
export type OnnxFeatureExtractorOptions = OnnxModelOptions;

/**
 * A feature extractor from any ONNX model the user supplies, run by onnxruntime-node (an
 * optional peer, loaded on first use; nothing is downloaded). `extract(input)` feeds the input
 * as float32 in batches along its first axis, with the rest of its shape unchanged (so it must
 * match the model's input: `[N, C, H, W]`, `[N, D]`, ...), and flattens each sample's output to
 * one row.
 *
 * @example
 * const extractor = await createOnnxFeatureExtractor({
 *   modelPath: 'encoder.onnx', inputName: 'input', outputName: 'features', batchSize: 128,
 * });
 * const { data, shape } = await extractor.extract({ data: images, shape: [n, 3, 32, 32] });
 * await extractor.dispose();
 */
export async function createOnnxFeatureExtractor(
  options: OnnxFeatureExtractorOptions,
): Promise<FeatureExtractor> {
  const session = await openOnnxFeatureSession('createOnnxFeatureExtractor', options);
  return {
    async extract(input: ArrayInput): Promise<FeatureArray> {
      const argument = 'OnnxFeatureExtractor.extract(input): input';
      const values = readArrayInput(argument, input);
      if (values.shape.length < 1 || (values.shape[0] as number) < 1) {
        throw new RangeError(`${argument} must hold at least one sample along its first axis`);
      }
      assertAllFinite(argument, values);
      const [count, ...sampleShape] = values.shape as [number, ...number[]];
      const sampleSize = sampleShape.reduce((product, size) => product * size, 1);
      const source = values.data;
      return extractInBatches(session, count, sampleShape, (batch, start, size) => {
        const offset = start * sampleSize;
        if (source instanceof Float32Array)
          batch.set(source.subarray(offset, offset + size * sampleSize));
        else
          for (let index = 0; index < batch.length; index++)
            batch[index] = source[offset + index] as number;
      });
    },
    dispose: () => session.release(),
  };
}
