export {
  createInceptionFeatureExtractor,
  type InceptionFeatureExtractorOptions,
} from './inception-feature-extractor.js';
export {
  createOnnxFeatureExtractor,
  type OnnxFeatureExtractorOptions,
} from './onnx-feature-extractor.js';
export type { OnnxModelOptions } from './onnx-session.js';
