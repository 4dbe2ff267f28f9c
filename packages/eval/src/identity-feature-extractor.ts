import { type ArrayInput, assertAllFinite, readArrayInput } from './array-input.js';
import type { FeatureArray, FeatureExtractor } from './feature-extractor.js';

/**
 * The identity feature extractor, for vector data (2-D mixtures, embeddings): each sample,
 * flattened, is its own feature vector, in float64 (float32 inputs stay float32). With it
 * `frechetDistance` and the other metrics measure the data directly.
 *
 * @example
 * const { data, shape } = await createIdentityFeatureExtractor().extract([[1, 2], [3, 4]]);
 * // shape [2, 2], data Float64Array [1, 2, 3, 4]
 */
export function createIdentityFeatureExtractor(): FeatureExtractor {
  return {
    async extract(input: ArrayInput): Promise<FeatureArray> {
      const argument = 'IdentityFeatureExtractor.extract(input): input';
      const values = readArrayInput(argument, input);
      if (values.shape.length < 1)
        throw new RangeError(`${argument} must have a first (sample) axis`);
      assertAllFinite(argument, values);
      const [count, ...sampleShape] = values.shape as [number, ...number[]];
      const width = sampleShape.reduce((product, size) => product * size, 1);
      const data =
        values.data instanceof Float32Array ? values.data.slice() : Float64Array.from(values.data);
      return { data, shape: [count, width] };
    },
    async dispose() {},
  };
}
