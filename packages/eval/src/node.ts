export {
  createInceptionFeatureExtractor,
  type InceptionFeatureExtractorOptions,
} from './inception-feature-extractor.js';
export {
  createOnnxFeatureExtractor,
  type OnnxFeatureExtractorOptions,
} from './onnx-feature-extractor.js';
export {
  loadOnnxRuntime,
  ONNX_RUNTIME_INSTALL_HINT,
  type OnnxModelOptions,
} from './onnx-session.js';
