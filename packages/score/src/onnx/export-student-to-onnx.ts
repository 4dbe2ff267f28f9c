import { assertPositiveNumber, describeValue } from '@fdistill/utils';
import { EDM_SIGMA_MAX } from '../edm-preconditioning.js';
import type { OnnxExportOptions } from './export-denoiser-to-onnx.js';
import {
  assertExportableNetwork,
  assertMetadata,
  networkOnnxModel,
  type OnnxExportableNetwork,
} from './network-onnx-model.js';

/** Options of `exportStudentToOnnx`. */
export interface OnnxStudentExportOptions extends OnnxExportOptions {
  /** The fixed noise level of the one-step generator; default 80 (EDM's sigma_max). */
  sigmaMax?: number;
}

/**
 * Exports a one-step student `G(z) = D(sigmaMax z; sigmaMax)` to ONNX, opset 17: the network
 * (an `MlpDenoiser` or a `UNetDenoiser`) with its EDM preconditioning at the fixed sigma, the
 * coefficients folded into constants. One `session.run` turns noise into samples:
 *
 * - input `z`: float32 [batch, dimension] (MLP) or [batch, size, size, channels] (U-Net, NHWC),
 *   standard normal noise;
 * - input `labels`: int64 [batch], only for class-conditional networks (`classCount` set), a
 *   class `0 .. classCount - 1` or the null label `classCount` per sample;
 * - output `samples`: float32, shaped like `z`.
 *
 * `batch` is a dynamic dimension. The model's `metadata_props` add `fdistill.role` = `student`
 * and `fdistill.sigmaMax` to those of `exportDenoiserToOnnx`.
 *
 * @example
 * await writeFile('student.onnx', exportStudentToOnnx(student, { sigmaMax: 80 }));
 * // onnxruntime-web in the page:
 * const session = await ort.InferenceSession.create('student.onnx');
 * const { samples } = await session.run({
 *   z: new ort.Tensor('float32', noise, [16, 32, 32, 3]),
 *   labels: new ort.Tensor('int64', BigInt64Array.from({ length: 16 }, () => 3n), [16]),
 * });
 */
export function exportStudentToOnnx(
  network: OnnxExportableNetwork,
  options: OnnxStudentExportOptions = {},
): Uint8Array {
  assertExportableNetwork('exportStudentToOnnx: network', network);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `exportStudentToOnnx: options must be an object, got ${describeValue(options)}`,
    );
  }
  const sigmaMax = options.sigmaMax ?? EDM_SIGMA_MAX;
  assertPositiveNumber('exportStudentToOnnx: options.sigmaMax', sigmaMax);
  const metadata = assertMetadata('exportStudentToOnnx: options.metadata', options.metadata);
  return networkOnnxModel('exportStudentToOnnx', network, { role: 'student', sigmaMax }, metadata);
}
