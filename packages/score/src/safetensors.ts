/** Element types this package reads and writes in safetensors files. */
export type SafetensorsDtype = 'F32' | 'F64' | 'I32';

/** One tensor of a safetensors file. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array;
}

/** The decoded content of a safetensors file. */
export interface SafetensorsContent {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I32: 4 };
const ARRAY_OF: Record<SafetensorsDtype, { new (buffer: ArrayBuffer): SafetensorsTensor['data'] }> =
  {
    F32: Float32Array,
    F64: Float64Array,
    I32: Int32Array,
  };

/**
 * Encodes tensors in the safetensors format (8-byte little-endian header length, JSON header,
 * little-endian data). Tensors are laid out in name order and the header is padded with spaces
 * to a multiple of 8 bytes, so equal inputs give identical bytes.
 *
 * @example
 * const bytes = encodeSafetensors(new Map([['w', { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }]]));
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new TypeError(
          `encodeSafetensors: metadata "${key}" must be a string, got ${typeof value}`,
        );
      }
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name) as SafetensorsTensor;
    const elementCount = tensor.shape.reduce((product, size) => product * size, 1);
    if (!Object.hasOwn(BYTES_PER_ELEMENT, tensor.dtype)) {
      throw new RangeError(
        `encodeSafetensors: tensor "${name}" has unsupported dtype ${String(tensor.dtype)}`,
      );
    }
    if (elementCount !== tensor.data.length) {
      throw new RangeError(
        `encodeSafetensors: tensor "${name}" has shape [${tensor.shape}] but ${tensor.data.length} elements`,
      );
    }
    const byteLength = elementCount * BYTES_PER_ELEMENT[tensor.dtype];
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + byteLength],
    };
    offset += byteLength;
  }
  let headerText = JSON.stringify(header);
  const unpadded = new TextEncoder().encode(headerText).length;
  headerText += ' '.repeat((8 - (unpadded % 8)) % 8);
  const headerBytes = new TextEncoder().encode(headerText);
  const bytes = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const name of names) {
    const tensor = tensors.get(name) as SafetensorsTensor;
    const width = BYTES_PER_ELEMENT[tensor.dtype];
    for (let i = 0; i < tensor.data.length; i++, position += width) {
      const value = tensor.data[i] as number;
      if (tensor.dtype === 'F32') view.setFloat32(position, value, true);
      else if (tensor.dtype === 'F64') view.setFloat64(position, value, true);
      else view.setInt32(position, value, true);
    }
  }
  return bytes;
}

/**
 * Decodes a safetensors file. A truncated file, a malformed header or a tensor whose offsets do
 * not match its shape throws an error that names the tensor.
 *
 * @example const { tensors, metadata } = decodeSafetensors(await readFile('model.safetensors'));
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContent {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) {
    throw new RangeError(
      `decodeSafetensors: expected at least 8 bytes (the header length), got ${bytes?.length ?? 0} (truncated or not a safetensors file)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) {
    throw new RangeError(
      `decodeSafetensors: header length ${headerLength} exceeds the file's ${bytes.length} bytes (truncated or not a safetensors file)`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new RangeError(
      `decodeSafetensors: the header is not valid JSON (${(error as Error).message})`,
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new RangeError('decodeSafetensors: the header must be a JSON object');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new RangeError('decodeSafetensors: __metadata__ must be an object of strings');
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = (entry ?? {}) as {
      dtype: SafetensorsDtype;
      shape: number[];
      data_offsets: [number, number];
    };
    if (
      !Array.isArray(shape) ||
      !shape.every((size) => Number.isInteger(size) && size >= 0) ||
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((offset) => Number.isInteger(offset))
    ) {
      throw new RangeError(
        `decodeSafetensors: tensor "${name}" has a malformed header entry ${JSON.stringify(entry)}`,
      );
    }
    if (typeof dtype !== 'string' || !Object.hasOwn(BYTES_PER_ELEMENT, dtype)) {
      throw new RangeError(
        `decodeSafetensors: tensor "${name}" has unsupported dtype ${String(dtype)}`,
      );
    }
    const elementCount = shape.reduce((product, size) => product * size, 1);
    const [begin, end] = offsets;
    if (end - begin !== elementCount * BYTES_PER_ELEMENT[dtype] || begin < 0 || end > dataLength) {
      throw new RangeError(
        `decodeSafetensors: tensor "${name}" (shape [${shape}], ${dtype}) has data offsets [${begin}, ${end}] that do not fit the file`,
      );
    }
    // Copy into a fresh, aligned buffer (the data section need not be aligned). Not
    // `bytes.slice`: on a Node Buffer that is a view of a shared pool, not a copy. Node and
    // browsers run little-endian, the byte order of the format.
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)).buffer;
    const data = new ARRAY_OF[dtype](copy);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}
