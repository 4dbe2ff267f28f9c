import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The content of an IDX file (the MNIST / Fashion-MNIST format). */
export interface IdxContent {
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  8: { name: 'uint8', bytes: 1 },
  9: { name: 'int8', bytes: 1 },
  11: { name: 'int16', bytes: 2 },
  12: { name: 'int32', bytes: 4 },
  13: { name: 'float32', bytes: 4 },
  14: { name: 'float64', bytes: 8 },
};

/**
 * Reads an IDX file (`.gz` is detected by its magic bytes): a 4-byte magic `0 0 type rank`, the
 * big-endian dimensions, then big-endian data. A malformed file throws an error naming the path
 * and what is wrong.
 *
 * @example readIdxFile('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz').shape // [60000, 28, 28]
 */
export function readIdxFile(path: string): IdxContent {
  let bytes: Buffer = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(
        `readIdxFile: ${path} starts like gzip but does not decompress (${(error as Error).message}; truncated?)`,
      );
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`readIdxFile: ${path} is not an IDX file (bad magic number)`);
  }
  const type = TYPES[bytes[2] as number];
  const rank = bytes[3] as number;
  if (type === undefined)
    throw new Error(`readIdxFile: ${path} has unknown data type 0x${bytes[2]?.toString(16)}`);
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) shape.push(bytes.readUInt32BE(4 + 4 * axis));
  const offset = 4 + 4 * rank;
  const count = shape.reduce((product, size) => product * size, 1);
  if (bytes.length !== offset + count * type.bytes) {
    throw new Error(
      `readIdxFile: ${path} should hold ${count} ${type.name} values after its header (shape [${shape}]), but has ${bytes.length - offset} bytes`,
    );
  }
  const body = bytes.subarray(offset);
  if (type.bytes === 1) {
    return { shape, data: type.name === 'uint8' ? new Uint8Array(body) : new Int8Array(body) };
  }
  const read = (index: number): number => {
    const position = index * type.bytes;
    if (type.name === 'int16') return body.readInt16BE(position);
    if (type.name === 'int32') return body.readInt32BE(position);
    if (type.name === 'float32') return body.readFloatBE(position);
    return body.readDoubleBE(position);
  };
  const data =
    type.name === 'int16'
      ? new Int16Array(count)
      : type.name === 'int32'
        ? new Int32Array(count)
        : type.name === 'float32'
          ? new Float32Array(count)
          : new Float64Array(count);
  for (let index = 0; index < count; index++) data[index] = read(index);
  return { shape, data };
}
