import type { ArrayInput } from './array-input.js';

/**
 * Features, one row per input: a flat row-major array with its shape `[rows, width]`. It is a
 * `ShapedArray`, so every metric takes it as is.
 */
export interface FeatureArray {
  readonly data: Float32Array | Float64Array;
  readonly shape: readonly [number, number];
}

/** Turns a batch of inputs (images, vectors) into feature vectors. */
export interface FeatureExtractor {
  /** Features of a batch of inputs (first axis: one input each), as `[count, width]`. */
  extract(input: ArrayInput): Promise<FeatureArray>;
  /** Releases what the extractor holds (an ONNX session); it cannot be used afterwards. */
  dispose(): Promise<void>;
}
