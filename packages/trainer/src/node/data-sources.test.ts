import '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorSource } from '../data/tensor-source.js';
import { readIdxFile } from './idx-file.js';
import { idxImageSource } from './idx-image-source.js';
import { pngFolderSource } from './png-folder-source.js';

/** An IDX file as bytes: magic, big-endian dimensions, data. */
function idxBytes(type: number, shape: number[], body: Buffer): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = type;
  header[3] = shape.length;
  for (const [axis, size] of shape.entries()) header.writeUInt32BE(size, 4 + 4 * axis);
  return Buffer.concat([header, body]);
}

const folder = mkdtempSync(join(tmpdir(), 'fdistill-data-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('readIdxFile', () => {
  it('reads uint8 images, gzip too, and big-endian int32 values', () => {
    const pixels = Buffer.from([0, 255, 128, 1, 2, 3, 4, 5]);
    writeFileSync(join(folder, 'images.idx'), idxBytes(0x08, [2, 2, 2], pixels));
    writeFileSync(join(folder, 'images.idx.gz'), gzipSync(idxBytes(0x08, [2, 2, 2], pixels)));
    for (const name of ['images.idx', 'images.idx.gz']) {
      const content = readIdxFile(join(folder, name));
      expect(content.shape).toEqual([2, 2, 2]);
      expect(Array.from(content.data)).toEqual([...pixels]);
    }
    const integers = Buffer.alloc(8);
    integers.writeInt32BE(-7, 0);
    integers.writeInt32BE(70000, 4);
    writeFileSync(join(folder, 'integers.idx'), idxBytes(0x0c, [2], integers));
    expect(Array.from(readIdxFile(join(folder, 'integers.idx')).data)).toEqual([-7, 70000]);
  });

  it('names the file and the problem when it is malformed', () => {
    writeFileSync(join(folder, 'short.idx'), idxBytes(0x08, [3, 2], Buffer.from([1, 2])));
    expect(() => readIdxFile(join(folder, 'short.idx'))).toThrow(
      'short.idx should hold 6 uint8 values',
    );
    writeFileSync(join(folder, 'bad.idx'), Buffer.from([1, 2, 3, 4]));
    expect(() => readIdxFile(join(folder, 'bad.idx'))).toThrow('bad.idx is not an IDX file');
    writeFileSync(join(folder, 'type.idx'), Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 1, 7]));
    expect(() => readIdxFile(join(folder, 'type.idx'))).toThrow(
      'type.idx has unknown data type 0x42',
    );
    const zipped = gzipSync(idxBytes(0x08, [3, 2], Buffer.from([1, 2, 3, 4, 5, 6])));
    writeFileSync(join(folder, 'cut.idx.gz'), zipped.subarray(0, zipped.length - 6));
    expect(() => readIdxFile(join(folder, 'cut.idx.gz'))).toThrow(
      'cut.idx.gz starts like gzip but does not decompress (',
    );
  });
});

describe('idxImageSource', () => {
  it('scales pixels to [-1, 1] as NHWC and reads labels', () => {
    writeFileSync(join(folder, 'labels.idx'), idxBytes(0x08, [2], Buffer.from([3, 1])));
    const source = idxImageSource({
      imagesPath: join(folder, 'images.idx'),
      labelsPath: join(folder, 'labels.idx'),
    });
    expect(source.sampleShape).toEqual([2, 2, 1]);
    expect(source.classCount).toBe(4);
    const batch = source.sample(16, 5);
    const values = new Set(
      Array.from(batch.x.dataSync()).map((value) => Math.round(value * 1000) / 1000),
    );
    expect([...values].every((value) => value >= -1 && value <= 1)).toBe(true);
    expect(values.has(-1)).toBe(true);
    const labels = Array.from(batch.labels?.dataSync() ?? []);
    expect(labels.every((label) => label === 3 || label === 1)).toBe(true);
  });
});

describe('idxImageSource padTo', () => {
  it('centres each image on a -1 background and keeps every pixel', () => {
    writeFileSync(
      join(folder, 'one.idx'),
      idxBytes(0x08, [1, 2, 2], Buffer.from([0, 255, 255, 0])),
    );
    const source = idxImageSource({ imagesPath: join(folder, 'one.idx'), padTo: 4 });
    expect(source.sampleShape).toEqual([4, 4, 1]);
    const image = (source.sample(1, 3).x.arraySync() as number[][][][])[0] as number[][][];
    expect(image.map((row) => row.map(([value]) => value))).toEqual([
      [-1, -1, -1, -1],
      [-1, -1, 1, -1],
      [-1, 1, -1, -1],
      [-1, -1, -1, -1],
    ]);
    expect(() => idxImageSource({ imagesPath: join(folder, 'one.idx'), padTo: 1 })).toThrow(
      'options.padTo must be an integer >= the image size 2x2, got 1',
    );
  });
});

const fashionMnist = '/usr/share/datasets/fashion-mnist';

describe("Debian's Fashion-MNIST", () => {
  it.skipIf(!existsSync(join(fashionMnist, 'train-labels-idx1-ubyte.gz')))(
    'reads as 60,000 labelled 28x28 images in 10 classes',
    () => {
      const labels = readIdxFile(join(fashionMnist, 'train-labels-idx1-ubyte.gz'));
      expect(labels.shape).toEqual([60000]);
      const source = idxImageSource({
        imagesPath: join(fashionMnist, 'train-images-idx3-ubyte.gz'),
        labelsPath: join(fashionMnist, 'train-labels-idx1-ubyte.gz'),
        limit: 1000,
      });
      expect(source.sampleShape).toEqual([28, 28, 1]);
      expect(source.classCount).toBe(10);
    },
  );
});

describe('pngFolderSource', () => {
  it('reads class subfolders as labels and pixels into [-1, 1]', () => {
    const root = join(folder, 'pngs');
    for (const [className, gray] of [
      ['cats', 0],
      ['dogs', 255],
    ] as const) {
      mkdirSync(join(root, className), { recursive: true });
      const image = new PNG({ width: 3, height: 2 });
      image.data.fill(gray);
      for (let pixel = 0; pixel < 6; pixel++) image.data[4 * pixel + 3] = 255;
      writeFileSync(join(root, className, 'a.png'), PNG.sync.write(image));
    }
    const source = pngFolderSource({ folder: root, channels: 1 });
    expect(source.sampleShape).toEqual([2, 3, 1]);
    expect(source.classCount).toBe(2);
    const batch = source.sample(20, 1);
    const x = batch.x.arraySync() as number[][][][];
    const labels = Array.from(batch.labels?.dataSync() ?? []);
    labels.forEach((label, index) => {
      expect(x[index]?.[0]?.[0]?.[0]).toBeCloseTo(label === 0 ? -1 : 1, 5);
    });
  });
});

describe('pngFolderSource on bad folders', () => {
  const png = (width: number, height: number) => PNG.sync.write(new PNG({ width, height }));

  it('names an unreadable PNG, a mismatched size and an empty folder', () => {
    const corrupt = join(folder, 'corrupt-pngs');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'a.png'), png(2, 2));
    writeFileSync(join(corrupt, 'b.png'), 'not a PNG at all');
    expect(() => pngFolderSource({ folder: corrupt })).toThrow(
      `readPngFolder: ${join(corrupt, 'b.png')} is not a readable PNG (`,
    );
    const cut = join(folder, 'cut-pngs');
    mkdirSync(cut);
    writeFileSync(join(cut, 'a.png'), png(4, 4).subarray(0, 30));
    expect(() => pngFolderSource({ folder: cut })).toThrow(
      `${join(cut, 'a.png')} is not a readable PNG`,
    );
    const mixed = join(folder, 'mixed-pngs');
    mkdirSync(mixed);
    writeFileSync(join(mixed, 'a.png'), png(2, 2));
    writeFileSync(join(mixed, 'b.png'), png(3, 2));
    expect(() => pngFolderSource({ folder: mixed })).toThrow(
      `readPngFolder: ${join(mixed, 'b.png')} is 3x2, expected 2x2 like the first image`,
    );
    const empty = join(folder, 'no-pngs');
    mkdirSync(empty);
    expect(() => pngFolderSource({ folder: empty })).toThrow(`no .png files in ${empty}`);
  });
});

describe('tensorSource', () => {
  it('draws the same batch from the same seed and rejects bad labels', () => {
    const source = tensorSource(tf.range(0, 10).reshape([10, 1]));
    expect(Array.from(source.sample(5, 42).x.dataSync())).toEqual(
      Array.from(source.sample(5, 42).x.dataSync()),
    );
    expect(() => tensorSource(tf.zeros([3, 1]), tf.tensor1d([0, 1], 'int32'), 2)).toThrow(
      'labels must be a 1-D tensor of 3 class indices',
    );
  });
});
