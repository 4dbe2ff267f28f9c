import * as tf from '@tensorflow/tfjs';

/** Transposes the last two axes of a tensor with the backend's own Transpose kernel. */
function transposeLastAxes(
  transpose: tf.KernelConfig,
  x: tf.TensorInfo,
  backend: tf.KernelBackend,
): tf.TensorInfo {
  const perm = x.shape.map((_, axis) => axis);
  const last = perm.length - 1;
  [perm[last - 1], perm[last]] = [perm[last] as number, perm[last - 1] as number];
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

let installed = false;

/**
 * Replaces the wasm backend's BatchMatMul with one that transposes operands explicitly before the
 * untransposed (XNNPACK) path: tfjs-backend-wasm 4.22 multiplies with `transposeA`/`transposeB`
 * 5-8x slower than without, and every backward pass of a dense layer uses them. Values are the
 * same up to float32 summation order. Process-wide: only the CLI (which owns the backend) calls it.
 *
 * @example await tf.setBackend('wasm'); installFastWasmMatMul();
 */
export function installFastWasmMatMul(): void {
  if (installed) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (original === undefined || transpose === undefined) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: ({ inputs, backend: untypedBackend, attrs }) => {
      const backend = untypedBackend as tf.KernelBackend;
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
      const left = transposeA ? transposeLastAxes(transpose, a, backend) : a;
      const right = transposeB ? transposeLastAxes(transpose, b, backend) : b;
      const product = original.kernelFunc({
        inputs: { a: left, b: right },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      // The Transpose kernel may return its input's data (e.g. when an axis has size 1).
      if (left.dataId !== a.dataId) backend.disposeData(left.dataId);
      if (right.dataId !== b.dataId) backend.disposeData(right.dataId);
      return product;
    },
  });
  installed = true;
}
