import { inflateSync } from 'fflate';
import { crc32 } from './crc32.js';

/** One array of an `.npz` file, as numbers (every supported dtype is read into float64). */
export interface NpyArray {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

/**
 * An array to write: float64 values (`'<f8'`), or integers stored as int64 (`'<i8'`) or as
 * uint8 (`'|u1'`, e.g. image pixels 0..255).
 */
export interface NpyArrayToWrite extends NpyArray {
  readonly dtype?: 'float64' | 'int64' | 'uint8';
}

/** numpy's name and the byte size of each dtype `encodeNpz` writes. */
const WRITTEN_DTYPES = {
  float64: { descr: '<f8', size: 8 },
  int64: { descr: '<i8', size: 8 },
  uint8: { descr: '|u1', size: 1 },
} as const;

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
/** 1980-01-01 00:00, the earliest DOS date: written files do not depend on the clock. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * Writes arrays as a numpy `.npz` file (a zip of `.npy` files, stored uncompressed, as
 * `np.savez` does), readable by `np.load`.
 *
 * @example encodeNpz({ mu: { data: Float64Array.of(1, 2), shape: [2] } }) // Uint8Array (zip bytes)
 */
export function encodeNpz(arrays: Record<string, NpyArrayToWrite>): Uint8Array {
  const encoder = new TextEncoder();
  const files = Object.entries(arrays).map(([name, array]) => ({
    name: encoder.encode(`${name}.npy`),
    bytes: encodeNpy(array),
  }));
  const localSize = files.reduce((sum, file) => sum + 30 + file.name.length + file.bytes.length, 0);
  const centralSize = files.reduce((sum, file) => sum + 46 + file.name.length, 0);
  const output = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(output.buffer);
  let offset = 0;
  const records = files.map((file) => {
    const checksum = crc32(file.bytes);
    const localOffset = offset;
    view.setUint32(offset, LOCAL_HEADER, true);
    view.setUint16(offset + 4, 20, true); // version needed: 2.0
    view.setUint16(offset + 12, DOS_DATE, true);
    view.setUint32(offset + 14, checksum, true);
    view.setUint32(offset + 18, file.bytes.length, true);
    view.setUint32(offset + 22, file.bytes.length, true);
    view.setUint16(offset + 26, file.name.length, true);
    output.set(file.name, offset + 30);
    output.set(file.bytes, offset + 30 + file.name.length);
    offset += 30 + file.name.length + file.bytes.length;
    return { ...file, checksum, localOffset };
  });
  const centralOffset = offset;
  for (const record of records) {
    view.setUint32(offset, CENTRAL_HEADER, true);
    view.setUint16(offset + 4, 20, true); // version made by
    view.setUint16(offset + 6, 20, true); // version needed
    view.setUint16(offset + 14, DOS_DATE, true);
    view.setUint32(offset + 16, record.checksum, true);
    view.setUint32(offset + 20, record.bytes.length, true);
    view.setUint32(offset + 24, record.bytes.length, true);
    view.setUint16(offset + 28, record.name.length, true);
    view.setUint32(offset + 42, record.localOffset, true);
    output.set(record.name, offset + 46);
    offset += 46 + record.name.length;
  }
  view.setUint32(offset, END_OF_CENTRAL_DIRECTORY, true);
  view.setUint16(offset + 8, records.length, true);
  view.setUint16(offset + 10, records.length, true);
  view.setUint32(offset + 12, offset - centralOffset, true);
  view.setUint32(offset + 16, centralOffset, true);
  return output;
}

/**
 * Reads a numpy `.npz` file: stored (`np.savez`) or deflated (`np.savez_compressed`) entries,
 * zip64 headers included; `.npy` arrays of dtype float64, float32, int64 or int32, little-endian,
 * C or Fortran order. Deflated entries use `node:zlib`, loaded on demand. Checksums are verified.
 *
 * @example const arrays = await decodeNpz(bytes); arrays.get('mu')?.shape // [2048]
 */
export async function decodeNpz(bytes: Uint8Array): Promise<Map<string, NpyArray>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEndOfCentralDirectory(view);
  let entryCount = view.getUint16(end + 10, true);
  let centralOffset = view.getUint32(end + 16, true);
  if (entryCount === 0xffff || centralOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_END_LOCATOR) {
      throw new Error('decodeNpz: the zip64 end-of-central-directory locator is missing');
    }
    const record = readUint64(view, locator + 8);
    entryCount = readUint64(view, record + 32);
    centralOffset = readUint64(view, record + 48);
  }
  const arrays = new Map<string, NpyArray>();
  const decoder = new TextDecoder();
  let offset = centralOffset;
  for (let entry = 0; entry < entryCount; entry++) {
    if (view.getUint32(offset, true) !== CENTRAL_HEADER) {
      throw new Error(`decodeNpz: bad central directory entry at byte ${offset}`);
    }
    const method = view.getUint16(offset + 10, true);
    const checksum = view.getUint32(offset + 16, true);
    let compressedSize = view.getUint32(offset + 20, true);
    let size = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    let localOffset = view.getUint32(offset + 42, true);
    const name = decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    // Sizes and offsets of 0xffffffff live in the zip64 extra field, in this order.
    let extra = offset + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === ZIP64_EXTRA) {
        let field = extra + 4;
        if (size === 0xffffffff) {
          size = readUint64(view, field);
          field += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = readUint64(view, field);
          field += 8;
        }
        if (localOffset === 0xffffffff) localOffset = readUint64(view, field);
      }
      extra += 4 + length;
    }
    offset = extraEnd + commentLength;
    if (view.getUint32(localOffset, true) !== LOCAL_HEADER) {
      throw new Error(`decodeNpz: bad local header for ${name}`);
    }
    const dataStart =
      localOffset +
      30 +
      view.getUint16(localOffset + 26, true) +
      view.getUint16(localOffset + 28, true);
    const stored = bytes.subarray(dataStart, dataStart + compressedSize);
    let content: Uint8Array;
    if (method === 0) content = stored;
    else if (method === 8) {
      content = inflateSync(stored);
    } else {
      throw new Error(
        `decodeNpz: ${name} uses zip compression method ${method}; only stored and deflate are read`,
      );
    }
    if (content.length !== size || crc32(content) !== checksum) {
      throw new Error(`decodeNpz: ${name} is corrupt (size or checksum mismatch)`);
    }
    arrays.set(name.replace(/\.npy$/, ''), decodeNpy(name, content));
  }
  return arrays;
}

function encodeNpy(array: NpyArrayToWrite): Uint8Array {
  const dtype = array.dtype ?? 'float64';
  const { descr, size } = WRITTEN_DTYPES[dtype];
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + length (2) + header + newline: a multiple of 64 bytes.
  const padding = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(padding % 64)}\n`;
  const output = new Uint8Array(10 + header.length + array.data.length * size);
  output.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  const view = new DataView(output.buffer);
  view.setUint16(8, header.length, true);
  output.set(new TextEncoder().encode(header), 10);
  array.data.forEach((value, index) => {
    const at = 10 + header.length + index * size;
    if (dtype === 'int64') view.setBigInt64(at, BigInt(Math.round(value)), true);
    else if (dtype === 'uint8') view.setUint8(at, Math.min(255, Math.max(0, Math.round(value))));
    else view.setFloat64(at, value, true);
  });
  return output;
}

const DTYPES: Record<string, { size: number; read: (view: DataView, at: number) => number }> = {
  '<f8': { size: 8, read: (view, at) => view.getFloat64(at, true) },
  '<f4': { size: 4, read: (view, at) => view.getFloat32(at, true) },
  '<i8': { size: 8, read: (view, at) => Number(view.getBigInt64(at, true)) },
  '<i4': { size: 4, read: (view, at) => view.getInt32(at, true) },
  '|u1': { size: 1, read: (view, at) => view.getUint8(at) },
};

function decodeNpy(name: string, bytes: Uint8Array): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY')
    throw new Error(`decodeNpz: ${name} is not a .npy file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] as number;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const fortranOrder = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  const dtype = DTYPES[descr];
  if (!dtype || shapeText === undefined) {
    throw new Error(
      `decodeNpz: ${name} has dtype ${JSON.stringify(descr)}; float64, float32, int64 and int32 (little-endian) are read`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((size) => size.trim())
    .filter((size) => size.length > 0)
    .map(Number);
  const count = shape.reduce((product, size) => product * size, 1);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart + count * dtype.size) {
    throw new Error(`decodeNpz: ${name} is truncated`);
  }
  const data = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    data[index] = dtype.read(view, dataStart + index * dtype.size);
  }
  return { data: fortranOrder ? toRowMajor(data, shape) : data, shape };
}

/** Reorders column-major (Fortran) values into row-major order. */
function toRowMajor(data: Float64Array, shape: readonly number[]): Float64Array {
  if (shape.length < 2) return data;
  const output = new Float64Array(data.length);
  const position = new Array<number>(shape.length).fill(0);
  for (let index = 0; index < data.length; index++) {
    // `index` walks Fortran order: the first axis varies fastest.
    let rowMajor = 0;
    for (let axis = 0; axis < shape.length; axis++)
      rowMajor = rowMajor * (shape[axis] as number) + (position[axis] as number);
    output[rowMajor] = data[index] as number;
    for (let axis = 0; axis < shape.length; axis++) {
      position[axis] = (position[axis] as number) + 1;
      if ((position[axis] as number) < (shape[axis] as number)) break;
      position[axis] = 0;
    }
  }
  return output;
}

function findEndOfCentralDirectory(view: DataView): number {
  const earliest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= earliest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new Error('decodeNpz: not a zip file (no end-of-central-directory record)');
}

function readUint64(view: DataView, offset: number): number {
  return Number(view.getBigUint64(offset, true));
}
