import '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpz } from '@fdistill/eval';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { readSampleFile } from './sample-file.js';

const folder = mkdtempSync(join(tmpdir(), 'fdistill-eval-samples-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes levels [N, 28, 28] as the field's .npz (uint8 samples [N, 28, 28, 1], int64 labels). */
function writeNpz(path: string, levels: Uint8Array, labels?: number[]): void {
  const count = levels.length / 784;
  writeFileSync(
    path,
    encodeNpz({
      samples: { data: Float64Array.from(levels), shape: [count, 28, 28, 1], dtype: 'uint8' },
      ...(labels === undefined
        ? {}
        : { labels: { data: Float64Array.from(labels), shape: [count], dtype: 'int64' } }),
    }),
  );
}

describe('readSampleFile', () => {
  it('reads an .npz and a PNG folder with class subfolders to the same images and labels', async () => {
    const count = 6;
    const levels = Uint8Array.from({ length: count * 784 }, (_, index) => (index * 37) % 256);
    const labels = [3, 0, 9, 3, 1, 0];
    writeNpz(join(folder, 'few.npz'), levels, labels);
    const pngs = join(folder, 'pngs');
    for (let image = 0; image < count; image++) {
      const png = new PNG({ width: 28, height: 28 });
      for (let pixel = 0; pixel < 784; pixel++) {
        const level = levels[image * 784 + pixel] as number;
        png.data.set([level, level, level, 255], 4 * pixel);
      }
      const classFolder = join(pngs, String(labels[image]));
      mkdirSync(classFolder, { recursive: true });
      writeFileSync(join(classFolder, `${image}.png`), PNG.sync.write(png));
    }
    const fromNpz = await readSampleFile(join(folder, 'few.npz'));
    const fromPngs = await readSampleFile(pngs);
    expect(fromNpz.count).toBe(count);
    expect(fromNpz.labels).toEqual(labels);
    expect(Array.from(fromNpz.images.subarray(0, 3))).toEqual(
      Array.from(levels.subarray(0, 3), (level) => Math.fround(level / 127.5 - 1)),
    );
    // The folder is read class by class: compare image by image through the labels' order.
    const order = [1, 5, 4, 0, 3, 2];
    expect(fromPngs.labels).toEqual(order.map((index) => labels[index]));
    order.forEach((source, position) => {
      const png = fromPngs.images.subarray(position * 784, (position + 1) * 784);
      const npz = fromNpz.images.subarray(source * 784, (source + 1) * 784);
      const largest = Math.max(
        ...png.map((value, pixel) => Math.abs(value - (npz[pixel] as number))),
      );
      expect(largest).toBeLessThan(1e-5);
    });
  });

  it('names what is wrong with a file before scoring anything', async () => {
    await expect(readSampleFile(join(folder, 'missing.npz'))).rejects.toThrow(
      'no such file or folder',
    );
    writeFileSync(
      join(folder, 'wrong-shape.npz'),
      encodeNpz({ samples: { data: new Float64Array(2 * 20 * 20), shape: [2, 20, 20, 1] } }),
    );
    await expect(readSampleFile(join(folder, 'wrong-shape.npz'))).rejects.toThrow(
      'holds images of shape [2,20,20,1], expected at least 2 grey 28x28 images',
    );
    writeFileSync(
      join(folder, 'floats.npz'),
      encodeNpz({ samples: { data: new Float64Array(2 * 784).fill(-0.5), shape: [2, 28, 28] } }),
    );
    await expect(readSampleFile(join(folder, 'floats.npz'))).rejects.toThrow(
      'must hold pixel levels in [0, 255]',
    );
    writeFileSync(join(folder, 'not-a-zip.npz'), 'hello');
    await expect(readSampleFile(join(folder, 'not-a-zip.npz'))).rejects.toThrow(
      'is not a readable .npz',
    );
  });
});
