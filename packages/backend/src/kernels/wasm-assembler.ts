/**
 * A minimal WebAssembly assembler: enough to write small SIMD loops over an imported memory
 * (the tfjs wasm heap) without a toolchain. Code is written as a flat list of bytes produced by
 * the helpers of `op` (one per instruction used here), and `assembleModule` wraps the functions
 * into a module that imports `env.memory` and exports every function by name.
 */

/** A value type of the functions here. */
export type ValueType = 'i32' | 'f32' | 'v128';

const VALUE_TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Unsigned LEB128. */
function unsigned(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 (32-bit). */
function signed(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const simd = (code: number, ...immediates: number[]) => [0xfd, ...unsigned(code), ...immediates];

/**
 * The instructions used by the kernels (WebAssembly 2.0 + SIMD128 encodings).
 *
 * @example [...op.localGet(0), ...op.localGet(1), ...op.i32Add()]
 */
export const op = {
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  if: () => [0x04, 0x40],
  else: () => [0x05],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...unsigned(depth)],
  brIf: (depth: number) => [0x0d, ...unsigned(depth)],
  call: (index: number) => [0x10, ...unsigned(index)],
  localGet: (index: number) => [0x20, ...unsigned(index)],
  localSet: (index: number) => [0x21, ...unsigned(index)],
  localTee: (index: number) => [0x22, ...unsigned(index)],
  i32Const: (value: number) => [0x41, ...signed(value)],
  f32Const: (value: number) => [0x43, ...new Uint8Array(Float32Array.of(value).buffer)],
  i32Eqz: () => [0x45],
  i32Eq: () => [0x46],
  i32LtU: () => [0x49],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  f32Load: () => [0x2a, 0x02, 0x00],
  f32Store: () => [0x38, 0x02, 0x00],
  f32Add: () => [0x92],
  f32Sub: () => [0x93],
  f32Mul: () => [0x94],
  f32Div: () => [0x95],
  v128Load: (offset = 0) => simd(0x00, 0x00, ...unsigned(offset)),
  v128Store: (offset = 0) => simd(0x0b, 0x00, ...unsigned(offset)),
  f32x4Splat: () => simd(0x13),
  f32x4ExtractLane: (lane: number) => simd(0x1f, lane),
  f32x4Add: () => simd(0xe4),
  f32x4Sub: () => simd(0xe5),
  f32x4Mul: () => simd(0xe6),
  f32x4Div: () => simd(0xe7),
};

/** A function of the module: its signature, extra locals and body (without the final `end`). */
export interface FunctionDefinition {
  name: string;
  parameters: ValueType[];
  locals: ValueType[];
  body: number[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsigned(bytes.length), ...bytes];
}

/**
 * The limits of the imported memory: any size, unshared (flag 0, minimum 0); or shared (flag 3,
 * minimum 0, maximum 65,536 pages: the whole 32-bit address space, so that any shared memory
 * matches the import, whatever maximum it was created with).
 */
const MEMORY_LIMITS = {
  unshared: [0x00, 0x00],
  shared: [0x03, 0x00, ...unsigned(65536)],
} as const;

/**
 * The bytes of a module that imports `env.memory` (any size; shared when `memory` is
 * `'shared'`, as the memory of a threaded Emscripten build is) and defines and exports
 * `functions` (no results), in order: function `i` has index `i` for `op.call`.
 *
 * @example new WebAssembly.Module(assembleModule([{ name: 'noop', parameters: [], locals: [], body: [] }]));
 */
export function assembleModule(
  functions: FunctionDefinition[],
  memory: keyof typeof MEMORY_LIMITS = 'unshared',
): Uint8Array {
  const types = functions.map((definition) => [
    0x60,
    ...vector(definition.parameters.map((type) => [VALUE_TYPE_CODE[type]])),
    0x00,
  ]);
  const imports = [[...name('env'), ...name('memory'), 0x02, ...MEMORY_LIMITS[memory]]];
  const bodies = functions.map((definition) => {
    const locals = vector(definition.locals.map((type) => [0x01, VALUE_TYPE_CODE[type]]));
    const code = [...locals, ...definition.body, 0x0b];
    return [...unsigned(code.length), ...code];
  });
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(functions.map((_, index) => unsigned(index)))),
    ...section(
      7,
      vector(
        functions.map((definition, index) => [...name(definition.name), 0x00, ...unsigned(index)]),
      ),
    ),
    ...section(10, vector(bodies)),
  ];
  return Uint8Array.from(bytes);
}
