import { describe, expect, it } from 'vitest';
import { decodeNpz, encodeNpz } from './npz.js';

describe('encodeNpz', () => {
  it('writes uint8 images and int64 labels that read back exactly, with numpy dtype names', async () => {
    const pixels = Float64Array.from({ length: 2 * 3 * 3 * 1 }, (_, index) => (index * 37) % 256);
    const bytes = encodeNpz({
      samples: { data: pixels, shape: [2, 3, 3, 1], dtype: 'uint8' },
      labels: { data: Float64Array.of(4, 9), shape: [2], dtype: 'int64' },
    });
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).toContain("'descr': '|u1'");
    expect(text).toContain("'descr': '<i8'");
    const arrays = await decodeNpz(bytes);
    expect(Array.from(arrays.get('samples')?.data ?? [])).toEqual(Array.from(pixels));
    expect(arrays.get('samples')?.shape).toEqual([2, 3, 3, 1]);
    expect(Array.from(arrays.get('labels')?.data ?? [])).toEqual([4, 9]);
  });

  it('clamps and rounds uint8 values to 0..255', async () => {
    const bytes = encodeNpz({
      x: { data: Float64Array.of(-3, 1.6, 300), shape: [3], dtype: 'uint8' },
    });
    expect(Array.from((await decodeNpz(bytes)).get('x')?.data ?? [])).toEqual([0, 2, 255]);
  });
});
