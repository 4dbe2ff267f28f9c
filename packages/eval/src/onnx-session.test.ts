import { describe, expect, it, vi } from 'vitest';
import { createOnnxFeatureExtractor } from './onnx-feature-extractor.js';

// As if the optional peer were not installed.
vi.mock('onnxruntime-node', () => {
  throw new Error("Cannot find package 'onnxruntime-node'");
});

describe('loadOnnxRuntime', () => {
  it('explains how to install onnxruntime-node when it is missing', async () => {
    await expect(createOnnxFeatureExtractor({ modelPath: 'model.onnx' })).rejects.toThrow(
      'onnxruntime-node, an optional peer dependency, is not installed: npm install onnxruntime-node --onnxruntime-node-install=skip',
    );
  });
});
