import { zlibSync } from 'fflate';
import { crc32 } from './crc32.js';

/** The 8 bytes every PNG starts with. */
const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(12 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, data.length);
  for (let index = 0; index < 4; index++) bytes[4 + index] = type.charCodeAt(index);
  bytes.set(data, 8);
  view.setUint32(8 + data.length, crc32(bytes.subarray(4, 8 + data.length)));
  return bytes;
}

/**
 * Encodes 8-bit RGBA pixels (row-major, `width * height * 4` bytes) as a PNG file, in plain
 * JavaScript (Node and browsers): each row filtered by its previous row ("up"), deflated.
 *
 * @example const png = encodePng(new Uint8Array(4 * 4 * 4).fill(255), 4, 4);
 */
export function encodePng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(
      `encodePng: width and height must be integers >= 1, got ${width}x${height}`,
    );
  }
  if (pixels.length !== width * height * 4) {
    throw new RangeError(
      `encodePng: pixels must hold width * height * 4 = ${width * height * 4} bytes, got ${pixels.length}`,
    );
  }
  const rowBytes = width * 4;
  const filtered = new Uint8Array(height * (rowBytes + 1));
  for (let row = 0; row < height; row++) {
    const out = row * (rowBytes + 1);
    const start = row * rowBytes;
    filtered[out] = row === 0 ? 0 : 2;
    for (let column = 0; column < rowBytes; column++) {
      const above = row === 0 ? 0 : (pixels[start - rowBytes + column] as number);
      filtered[out + 1 + column] = ((pixels[start + column] as number) - above) & 0xff;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no interlace
  const parts = [
    Uint8Array.from(SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', zlibSync(filtered, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}
