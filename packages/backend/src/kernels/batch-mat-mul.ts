import type * as tf from '@tensorflow/tfjs-core';
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  Transpose,
} from '@tensorflow/tfjs-core';
import {
  callKernel,
  type KernelParams,
  registeredKernelFunc,
  stockKernelFunc,
} from './call-kernel.js';
import { product, sameShape } from './heap-copy.js';
import { HeapViews, multiplyInto, tensorId } from './matrix-product.js';
import type { WasmBackend } from './wasm-heap.js';
import { allocate, floatOffset, isWasmBackend, release } from './wasm-heap.js';

/**
 * A wasm BatchMatMul that always reaches XNNPACK. tfjs-backend-wasm 4.22 multiplies on XNNPACK
 * only for one untransposed pair of matrices; with `transposeA` / `transposeB` or a batch it falls
 * back to a scalar loop, 5-8x slower. Here a transposed operand is transposed explicitly first
 * (the backend's Transpose kernel), and a batch runs as one XNNPACK product per matrix on views
 * of the operands (a shared operand, batch size 1, is broadcast and packed once). Values are the
 * same up to float32 summation order. Shapes it does not handle go to `stock`.
 *
 * @example tf.registerKernel(batchMatMulConfig(tf.getKernel(BatchMatMul, 'wasm')));
 */
export function batchMatMulConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const stockBatchMatMul = stockKernelFunc<BatchMatMulInputs, BatchMatMulAttrs>(stock);
  const batchMatMul = (params: KernelParams<BatchMatMulInputs, BatchMatMulAttrs>) => {
    const { inputs, backend, attrs } = params;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    if (!isWasmBackend(backend) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stockBatchMatMul(params);
    }
    const left = transposeA ? transposeLastAxes(backend, a) : a;
    const right = transposeB ? transposeLastAxes(backend, b) : b;
    try {
      return multiplyBatches(backend, left, right, stock);
    } finally {
      if (left !== a) release(backend, left);
      if (right !== b) release(backend, right);
    }
  };
  return { ...stock, kernelName: BatchMatMul, kernelFunc: registeredKernelFunc(batchMatMul) };
}

/** The product of untransposed operands [..., m, k] and [..., k, n]. */
function multiplyBatches(
  backend: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  stock: tf.KernelConfig,
): tf.TensorInfo {
  const rows = a.shape[a.shape.length - 2] as number;
  const inner = a.shape[a.shape.length - 1] as number;
  const columns = b.shape[b.shape.length - 1] as number;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = product(outerA);
  const batchB = product(outerB);
  const unbatched = batchA <= 1 && batchB <= 1;
  const broadcastable =
    batchA === batchB
      ? sameShape(outerA, outerB) || outerA.length === 0 || outerB.length === 0
      : batchA === 1 || batchB === 1;
  if (unbatched || !broadcastable || rows * inner * columns === 0) {
    return callKernel(
      backend,
      BatchMatMul,
      { a, b },
      { transposeA: false, transposeB: false },
      stock,
    );
  }
  const batch = Math.max(batchA, batchB);
  const outer = batchA >= batchB ? outerA : outerB;
  const output = allocate(backend, [batch, rows, columns]);
  const views = new HeapViews(backend);
  try {
    const aStart = floatOffset(backend, a);
    const bStart = floatOffset(backend, b);
    const outputStart = floatOffset(backend, output);
    const sharedB = batchB === 1 ? tensorId(backend, b) : undefined;
    for (let index = 0; index < batch; index++) {
      const left =
        batchA === 1
          ? tensorId(backend, a)
          : views.view(aStart + index * rows * inner, rows * inner);
      const right = sharedB ?? views.view(bStart + index * inner * columns, inner * columns);
      const target = views.view(outputStart + index * rows * columns, rows * columns);
      multiplyInto(backend, left, right, target, rows, inner, columns);
    }
  } finally {
    views.releaseAll();
  }
  return { ...output, shape: [...outer, rows, columns] };
}

/** Transposes the last two axes with the backend's Transpose kernel. */
function transposeLastAxes(backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo {
  const perm = x.shape.map((_, axis) => axis);
  const last = perm.length - 1;
  [perm[last - 1], perm[last]] = [perm[last] as number, perm[last - 1] as number];
  const transposed = callKernel(backend, Transpose, { x }, { perm });
  // The Transpose kernel may share its input's data (an axis of size 1): copy-free is fine, but
  // the caller releases what this returns, so hand back a reference it may release.
  if (transposed.dataId === x.dataId) backend.incRef(x.dataId);
  return transposed;
}
