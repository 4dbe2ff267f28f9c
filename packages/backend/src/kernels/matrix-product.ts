import type * as tf from '@tensorflow/tfjs-core';
import { BatchMatMul } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-heap.js';

/**
 * The id by which the C side knows a tensor (what the wasm entry points take).
 *
 * @example const id = tensorId(backend, x);
 */
export function tensorId(backend: WasmBackend, tensor: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(tensor.dataId);
  if (data === undefined) throw new Error('wasm kernels: the tensor has no data on this backend');
  return data.id;
}

/**
 * Views of float32 ranges of the heap, registered with the C side under fresh ids so that the
 * wasm entry points can read and write them (a sub-matrix, one batch of a batched matrix) without
 * a copy. `releaseAll` unregisters them (which also frees the XNNPACK operators cached on those
 * ids) and never frees the memory, which belongs to the tensors viewed.
 *
 * @example
 * const views = new HeapViews(backend);
 * try { const id = views.view(floatOffset(backend, x) + 16, 16); ... } finally { views.releaseAll(); }
 */
export class HeapViews {
  private readonly ids: number[] = [];

  constructor(private readonly backend: WasmBackend) {}

  /** Registers `size` floats from float index `floatIndex` and returns the id to pass to C. */
  view(floatIndex: number, size: number): number {
    const id = this.backend.dataIdNextNumber++;
    this.backend.wasm.tfjs.registerTensor(id, size, floatIndex * 4);
    this.ids.push(id);
    return id;
  }

  releaseAll(): void {
    for (const id of this.ids) this.backend.wasm.tfjs.disposeData(id);
    this.ids.length = 0;
  }
}

type RawMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

const rawMatMuls = new WeakMap<WasmBackend, RawMatMul>();

/**
 * `out = a b` for row-major `a` [rows, inner] and `b` [inner, columns] given by C ids (tensors
 * or `HeapViews`), run by XNNPACK's fully-connected operator. XNNPACK packs `b` once per id and
 * keeps it until that id is released, so several products with one `b` pack it once.
 *
 * @example multiplyInto(backend, aId, bId, outId, 4, 8, 16); // out [4, 16] = a [4, 8] b [8, 16]
 */
export function multiplyInto(
  backend: WasmBackend,
  aId: number,
  bId: number,
  outId: number,
  rows: number,
  inner: number,
  columns: number,
): void {
  let matMul = rawMatMuls.get(backend);
  if (matMul === undefined) {
    matMul = backend.wasm.cwrap(BatchMatMul, null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]) as RawMatMul;
    rawMatMuls.set(backend, matMul);
  }
  const aShape = new Uint8Array(Int32Array.of(1, rows, inner).buffer);
  const bShape = new Uint8Array(Int32Array.of(1, inner, columns).buffer);
  matMul(aId, aShape, 3, bId, bShape, 3, false, false, outId);
}
