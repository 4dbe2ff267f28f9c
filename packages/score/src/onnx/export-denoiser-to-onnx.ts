import { describeValue } from '@fdistill/utils';
import {
  assertExportableNetwork,
  assertMetadata,
  networkOnnxModel,
  type OnnxExportableNetwork,
} from './network-onnx-model.js';

/** Options of `exportDenoiserToOnnx`. */
export interface OnnxExportOptions {
  /** Extra `metadata_props` of the model (string values), e.g. a run id or a license. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Exports a denoiser (a teacher, or a fake score) to ONNX, opset 17, straight from its weights:
 * an `MlpDenoiser` or a `UNetDenoiser` with its EDM preconditioning, as the bytes of a `.onnx`
 * file (a ModelProto). onnxruntime (Node, web, Python, ...) then computes what `denoise` does:
 *
 * - input `x`: float32 [batch, dimension] (MLP) or [batch, size, size, channels] (U-Net, NHWC as in tfjs);
 * - input `sigma`: float32 [batch], the noise level of each sample (> 0);
 * - input `labels`: int64 [batch], only for class-conditional networks (`classCount` set), a
 *   class `0 .. classCount - 1` or the null label `classCount` per sample;
 * - output `denoised`: float32, shaped like `x`: `D(x; sigma) = c_skip x + c_out F(c_in x; c_noise)`.
 *
 * `batch` is a dynamic dimension. The model's `metadata_props` hold the architecture and config
 * (`fdistill.architecture`, `fdistill.config`, `fdistill.role` = `denoiser`, `fdistill.sigmaData`).
 * The weights are read synchronously (`dataSync`) when this is called.
 *
 * @example
 * const teacher = new MlpDenoiser({ dimension: 2, seed: 1 });
 * await writeFile('teacher.onnx', exportDenoiserToOnnx(teacher));
 * // onnxruntime-node:
 * const session = await InferenceSession.create('teacher.onnx');
 * const { denoised } = await session.run({
 *   x: new Tensor('float32', new Float32Array([0.1, -0.3]), [1, 2]),
 *   sigma: new Tensor('float32', new Float32Array([0.5]), [1]),
 * });
 */
export function exportDenoiserToOnnx(
  network: OnnxExportableNetwork,
  options: OnnxExportOptions = {},
): Uint8Array {
  assertExportableNetwork('exportDenoiserToOnnx: network', network);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `exportDenoiserToOnnx: options must be an object, got ${describeValue(options)}`,
    );
  }
  const metadata = assertMetadata('exportDenoiserToOnnx: options.metadata', options.metadata);
  return networkOnnxModel('exportDenoiserToOnnx', network, { role: 'denoiser' }, metadata);
}
