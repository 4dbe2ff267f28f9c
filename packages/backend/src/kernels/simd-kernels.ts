import { Add, Multiply, RealDiv, Sub } from '@tensorflow/tfjs-core';
import { assembleModule, type FunctionDefinition, op, type ValueType } from './wasm-assembler.js';
import type { WasmBackend } from './wasm-heap.js';
import { webAssembly } from './webassembly-api.js';

/** The element-wise operations of `simdKernels(backend).binary`. */
export type BinaryOperation = typeof Add | typeof Sub | typeof Multiply | typeof RealDiv;

/** How the innermost axis of a binary operation reads its operands. */
export const ROW_KIND = { bothRuns: 0, aRunBValue: 1, aValueBRun: 2 } as const;

/** The SIMD loops, called with byte addresses in the tfjs heap and byte strides. */
export interface SimdKernels {
  /**
   * `out[i0, i1, i2, j] = a[...] op b[...]` over sizes `s0 x s1 x s2 x n`, `out` contiguous; `a`
   * and `b` step by the given byte strides on the three outer axes, and on the inner axis by 4
   * bytes or 0 as `rowKind` says.
   */
  binary(
    operation: BinaryOperation,
    out: number,
    a: number,
    b: number,
    sizes: readonly number[],
    aStrides: readonly number[],
    bStrides: readonly number[],
    rowKind: number,
  ): void;
  /**
   * `out[...] += x[...]` over sizes `s0 x s1 x s2 x n` (`x` contiguous); the output advances by
   * the given byte strides (0 on reduced axes); when `innerReduced`, each inner run is summed
   * into one value.
   */
  reduceSum(
    out: number,
    x: number,
    sizes: readonly number[],
    outStrides: readonly number[],
    innerReduced: boolean,
  ): void;
  /** `out[i] *= factor` for `count` floats. */
  scale(out: number, count: number, factor: number): void;
}

// --- code generation helpers -------------------------------------------------------------------

const get = op.localGet;
const set = op.localSet;

/** `for (counter = 0; counter < limit; counter++) body` */
function forCount(counter: number, limit: number, body: number[]): number[] {
  return [
    ...op.i32Const(0),
    ...set(counter),
    ...op.block(),
    ...op.loop(),
    ...get(counter),
    ...get(limit),
    ...op.i32LtU(),
    ...op.i32Eqz(),
    ...op.brIf(1),
    ...body,
    ...get(counter),
    ...op.i32Const(1),
    ...op.i32Add(),
    ...set(counter),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
  ];
}

/** `while (count >= step) { body; count -= step }` */
function whileAtLeast(count: number, step: number, body: number[]): number[] {
  return [
    ...op.block(),
    ...op.loop(),
    ...get(count),
    ...op.i32Const(step),
    ...op.i32LtU(),
    ...op.brIf(1),
    ...body,
    ...get(count),
    ...op.i32Const(step),
    ...op.i32Sub(),
    ...set(count),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
  ];
}

/** `local += amount` */
function advance(local: number, amount: number): number[] {
  return [...get(local), ...op.i32Const(amount), ...op.i32Add(), ...set(local)];
}

/** `target = base + i * stride + j * stride2` */
function address(target: number, base: number, terms: [number, number][]): number[] {
  return [
    ...get(base),
    ...terms.flatMap(([index, stride]) => [
      ...get(index),
      ...get(stride),
      ...op.i32Mul(),
      ...op.i32Add(),
    ]),
    ...set(target),
  ];
}

const VECTOR_OPERATION: Record<BinaryOperation, () => number[]> = {
  [Add]: op.f32x4Add,
  [Sub]: op.f32x4Sub,
  [Multiply]: op.f32x4Mul,
  [RealDiv]: op.f32x4Div,
};
const SCALAR_OPERATION: Record<BinaryOperation, () => number[]> = {
  [Add]: op.f32Add,
  [Sub]: op.f32Sub,
  [Multiply]: op.f32Mul,
  [RealDiv]: op.f32Div,
};

const i32s = (count: number): ValueType[] => new Array<ValueType>(count).fill('i32');

/** binary_<op>(out, a, b, s0, s1, s2, n, a0, a1, a2, b0, b1, b2, rowKind) */
function binaryFunction(operation: BinaryOperation): FunctionDefinition {
  const [out, a, b, s0, s1, s2, n, a0, a1, a2, b0, b1, b2, rowKind] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
  ] as const;
  const [i0, i1, i2, pa, pb, qa, qb, j, vector, value] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
  const vectorOperation = VECTOR_OPERATION[operation];
  const scalarOperation = SCALAR_OPERATION[operation];
  const load = (pointer: number, kind: 'run' | 'value', isVector: boolean) =>
    kind === 'value'
      ? get(isVector ? vector : value)
      : [...get(pointer), ...(isVector ? op.v128Load() : op.f32Load())];
  const row = (aKind: 'run' | 'value', bKind: 'run' | 'value') => {
    const single = aKind === 'value' ? qa : qb;
    const hoist =
      aKind === 'value' || bKind === 'value'
        ? [
            ...get(single),
            ...op.f32Load(),
            ...op.localTee(value),
            ...op.f32x4Splat(),
            ...set(vector),
          ]
        : [];
    const step = (size: number) => [
      ...advance(out, size),
      ...(aKind === 'run' ? advance(qa, size) : []),
      ...(bKind === 'run' ? advance(qb, size) : []),
    ];
    return [
      ...hoist,
      ...get(n),
      ...set(j),
      ...whileAtLeast(j, 4, [
        ...get(out),
        ...load(qa, aKind, true),
        ...load(qb, bKind, true),
        ...vectorOperation(),
        ...op.v128Store(),
        ...step(16),
      ]),
      ...whileAtLeast(j, 1, [
        ...get(out),
        ...load(qa, aKind, false),
        ...load(qb, bKind, false),
        ...scalarOperation(),
        ...op.f32Store(),
        ...step(4),
      ]),
    ];
  };
  const nest = (rowCode: number[]) =>
    forCount(i0, s0, [
      ...forCount(i1, s1, [
        ...address(pa, a, [
          [i0, a0],
          [i1, a1],
        ]),
        ...address(pb, b, [
          [i0, b0],
          [i1, b1],
        ]),
        ...forCount(i2, s2, [
          ...get(pa),
          ...set(qa),
          ...get(pb),
          ...set(qb),
          ...rowCode,
          ...get(pa),
          ...get(a2),
          ...op.i32Add(),
          ...set(pa),
          ...get(pb),
          ...get(b2),
          ...op.i32Add(),
          ...set(pb),
        ]),
      ]),
    ]);
  const isKind = (kind: number) => [...get(rowKind), ...op.i32Const(kind), ...op.i32Eq()];
  return {
    name: `binary${operation}`,
    parameters: i32s(14),
    locals: [...i32s(8), 'v128', 'f32'],
    body: [
      ...isKind(ROW_KIND.bothRuns),
      ...op.if(),
      ...nest(row('run', 'run')),
      ...op.else(),
      ...isKind(ROW_KIND.aRunBValue),
      ...op.if(),
      ...nest(row('run', 'value')),
      ...op.else(),
      ...nest(row('value', 'run')),
      ...op.end(),
      ...op.end(),
    ],
  };
}

/** reduceSum(out, x, s0, s1, s2, n, o0, o1, o2, innerReduced) */
function reduceFunction(): FunctionDefinition {
  const [out, x, s0, s1, s2, n, o0, o1, o2, innerReduced] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [i0, i1, i2, po, qo, j, accumulator, sum] = [10, 11, 12, 13, 14, 15, 16, 17];
  const nest = (rowCode: number[]) =>
    forCount(i0, s0, [
      ...forCount(i1, s1, [
        ...address(po, out, [
          [i0, o0],
          [i1, o1],
        ]),
        ...forCount(i2, s2, [
          ...get(po),
          ...set(qo),
          ...get(n),
          ...set(j),
          ...rowCode,
          ...get(po),
          ...get(o2),
          ...op.i32Add(),
          ...set(po),
        ]),
      ]),
    ]);
  // x is read contiguously: the pointer `x` itself advances.
  const reducedRow = [
    ...op.f32Const(0),
    ...op.f32x4Splat(),
    ...set(accumulator),
    ...whileAtLeast(j, 4, [
      ...get(accumulator),
      ...get(x),
      ...op.v128Load(),
      ...op.f32x4Add(),
      ...set(accumulator),
      ...advance(x, 16),
    ]),
    ...get(accumulator),
    ...op.f32x4ExtractLane(0),
    ...get(accumulator),
    ...op.f32x4ExtractLane(1),
    ...op.f32Add(),
    ...get(accumulator),
    ...op.f32x4ExtractLane(2),
    ...get(accumulator),
    ...op.f32x4ExtractLane(3),
    ...op.f32Add(),
    ...op.f32Add(),
    ...set(sum),
    ...whileAtLeast(j, 1, [
      ...get(sum),
      ...get(x),
      ...op.f32Load(),
      ...op.f32Add(),
      ...set(sum),
      ...advance(x, 4),
    ]),
    ...get(qo),
    ...get(qo),
    ...op.f32Load(),
    ...get(sum),
    ...op.f32Add(),
    ...op.f32Store(),
  ];
  const keptRow = [
    ...whileAtLeast(j, 4, [
      ...get(qo),
      ...get(qo),
      ...op.v128Load(),
      ...get(x),
      ...op.v128Load(),
      ...op.f32x4Add(),
      ...op.v128Store(),
      ...advance(qo, 16),
      ...advance(x, 16),
    ]),
    ...whileAtLeast(j, 1, [
      ...get(qo),
      ...get(qo),
      ...op.f32Load(),
      ...get(x),
      ...op.f32Load(),
      ...op.f32Add(),
      ...op.f32Store(),
      ...advance(qo, 4),
      ...advance(x, 4),
    ]),
  ];
  return {
    name: 'reduceSum',
    parameters: i32s(10),
    locals: [...i32s(6), 'v128', 'f32'],
    body: [
      ...get(innerReduced),
      ...op.if(),
      ...nest(reducedRow),
      ...op.else(),
      ...nest(keptRow),
      ...op.end(),
    ],
  };
}

/** scale(out, n, factor) */
function scaleFunction(): FunctionDefinition {
  const [out, n, factor, vector] = [0, 1, 2, 3];
  return {
    name: 'scale',
    parameters: ['i32', 'i32', 'f32'],
    locals: ['v128'],
    body: [
      ...get(factor),
      ...op.f32x4Splat(),
      ...set(vector),
      ...whileAtLeast(n, 4, [
        ...get(out),
        ...get(out),
        ...op.v128Load(),
        ...get(vector),
        ...op.f32x4Mul(),
        ...op.v128Store(),
        ...advance(out, 16),
      ]),
      ...whileAtLeast(n, 1, [
        ...get(out),
        ...get(out),
        ...op.f32Load(),
        ...get(factor),
        ...op.f32Mul(),
        ...op.f32Store(),
        ...advance(out, 4),
      ]),
    ],
  };
}

const OPERATIONS: BinaryOperation[] = [Add, Sub, Multiply, RealDiv];

/** The compiled module, one per kind of memory it imports. */
const compiled = new Map<MemoryKind, object>();
const instances = new WeakMap<WasmBackend, SimdKernels>();

type Exported = Record<string, (...args: number[]) => void>;

/**
 * The SIMD loops of this module, instantiated on `backend`'s heap (compiled once per process,
 * instantiated once per backend). They read and write the tfjs heap directly; callers pass byte
 * addresses of tensors (`floatOffset * 4`).
 *
 * @example simdKernels(backend).scale(address, 1024, 0.5);
 */
export function simdKernels(backend: WasmBackend): SimdKernels {
  const existing = instances.get(backend);
  if (existing !== undefined) return existing;
  const heap = heapMemory(backend);
  if (heap === undefined) throw new Error('wasm kernels: the backend exposes no memory');
  let module = compiled.get(heap.kind);
  if (module === undefined) {
    const functions = [...OPERATIONS.map(binaryFunction), reduceFunction(), scaleFunction()];
    module = new webAssembly.Module(assembleModule(functions, heap.kind));
    compiled.set(heap.kind, module);
  }
  const exported = new webAssembly.Instance(module, { env: { memory: heap.memory } })
    .exports as Exported;
  const kernels: SimdKernels = {
    binary: (operation, out, a, b, sizes, aStrides, bStrides, rowKind) => {
      const [s0, s1, s2, n] = sizes as [number, number, number, number];
      const [a0, a1, a2] = aStrides as [number, number, number];
      const [b0, b1, b2] = bStrides as [number, number, number];
      (exported[`binary${operation}`] as (...args: number[]) => void)(
        out,
        a,
        b,
        s0,
        s1,
        s2,
        n,
        a0,
        a1,
        a2,
        b0,
        b1,
        b2,
        rowKind,
      );
    },
    reduceSum: (out, x, sizes, outStrides, innerReduced) => {
      const [s0, s1, s2, n] = sizes as [number, number, number, number];
      const [o0, o1, o2] = outStrides as [number, number, number];
      (exported.reduceSum as (...args: number[]) => void)(
        out,
        x,
        s0,
        s1,
        s2,
        n,
        o0,
        o1,
        o2,
        innerReduced ? 1 : 0,
      );
    },
    scale: (out, count, factor) =>
      (exported.scale as (...args: number[]) => void)(out, count, factor),
  };
  instances.set(backend, kernels);
  return kernels;
}

type MemoryKind = 'unshared' | 'shared';

/**
 * The memory of `backend`'s Emscripten module: exported by the single-threaded builds
 * (`asm.memory`); created by the glue and imported by the threaded build (`wasmMemory`, shared
 * with its pthreads). Undefined when the module exposes neither.
 */
function heapMemory(backend: WasmBackend): { memory: object; kind: MemoryKind } | undefined {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  if (module.asm?.memory instanceof webAssembly.Memory) {
    return { memory: module.asm.memory, kind: 'unshared' };
  }
  if (module.wasmMemory instanceof webAssembly.Memory) {
    const shared = module.wasmMemory.buffer instanceof SharedArrayBuffer;
    return { memory: module.wasmMemory, kind: shared ? 'shared' : 'unshared' };
  }
  return undefined;
}

/**
 * Whether the wasm backend exposes its memory, which `simdKernels` needs: the single-threaded
 * builds export it, the threaded build shares the one its glue created.
 *
 * @example if (hasSimdMemory(backend)) simdKernels(backend).scale(address, count, 2);
 */
export function hasSimdMemory(backend: WasmBackend): boolean {
  return heapMemory(backend) !== undefined;
}
