import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import type { DataSource } from '../data/data-source.js';
import { tensorSource } from '../data/tensor-source.js';

/** Options of `pngFolderSource`. */
export interface PngFolderSourceOptions {
  /** A folder of `.png` files, or of class subfolders holding `.png` files (labels = subfolders). */
  folder: string;
  /** 1 (grayscale) or 3 (RGB); default 3. */
  channels?: 1 | 3;
}

/** Every image of a PNG folder, in file order: pixels [N, H, W, C] in [-1, 1], labels by subfolder. */
export interface PngFolderContent {
  pixels: Float32Array;
  shape: [number, number, number, number];
  /** The class of each image (its subfolder's index, subfolders sorted by name), when the folder has subfolders. */
  labels?: number[];
  /** The subfolders' names, by label. */
  classNames?: string[];
}

/**
 * Reads every PNG of a folder (or of its class subfolders, sorted by name), all of one size, as
 * pixels in [-1, 1] NHWC (`level / 127.5 - 1`; grey is 0.299 R + 0.587 G + 0.114 B), in sorted
 * file order, with labels when the folder holds class subfolders.
 *
 * @example const { pixels, shape, labels } = readPngFolder({ folder: 'samples', channels: 1 });
 */
export function readPngFolder(options: PngFolderSourceOptions): PngFolderContent {
  const { folder, channels = 3 } = options;
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`readPngFolder: options.channels must be 1 or 3, got ${String(channels)}`);
  }
  const entries = readdirSync(folder).sort();
  const classFolders = entries.filter((entry) => statSync(join(folder, entry)).isDirectory());
  const files: Array<{ path: string; label: number }> = [];
  if (classFolders.length > 0) {
    classFolders.forEach((classFolder, label) => {
      for (const file of readdirSync(join(folder, classFolder)).sort()) {
        if (file.toLowerCase().endsWith('.png'))
          files.push({ path: join(folder, classFolder, file), label });
      }
    });
  } else {
    for (const file of entries) {
      if (file.toLowerCase().endsWith('.png')) files.push({ path: join(folder, file), label: 0 });
    }
  }
  if (files.length === 0) throw new Error(`readPngFolder: no .png files in ${folder}`);
  let size: [number, number] | undefined;
  const samples: Float32Array[] = [];
  for (const { path } of files) {
    let image: PNG;
    try {
      image = PNG.sync.read(readFileSync(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // An unreadable file keeps its system code (an I/O failure); bad bytes are bad input.
      if (code !== undefined && /^E[A-Z]+$/.test(code)) throw error;
      throw new Error(`readPngFolder: ${path} is not a readable PNG (${(error as Error).message})`);
    }
    size ??= [image.height, image.width];
    if (image.height !== size[0] || image.width !== size[1]) {
      throw new Error(
        `readPngFolder: ${path} is ${image.width}x${image.height}, expected ${size[1]}x${size[0]} like the first image`,
      );
    }
    const sample = new Float32Array(image.width * image.height * channels);
    for (let pixel = 0; pixel < image.width * image.height; pixel++) {
      const [red, green, blue] = [0, 1, 2].map(
        (offset) => (image.data[4 * pixel + offset] as number) / 127.5 - 1,
      ) as [number, number, number];
      if (channels === 1) sample[pixel] = 0.299 * red + 0.587 * green + 0.114 * blue;
      else sample.set([red, green, blue], 3 * pixel);
    }
    samples.push(sample);
  }
  const [height, width] = size as [number, number];
  const pixels = new Float32Array(samples.length * height * width * channels);
  for (const [index, sample] of samples.entries()) pixels.set(sample, index * sample.length);
  const shape: PngFolderContent['shape'] = [samples.length, height, width, channels];
  if (classFolders.length === 0) return { pixels, shape };
  return { pixels, shape, labels: files.map((file) => file.label), classNames: classFolders };
}

/**
 * Images from a folder of PNGs, all of one size, scaled to [-1, 1] NHWC. If the folder holds
 * subfolders instead, each subfolder is a class (sorted by name) and its images are labelled.
 *
 * @example const source = pngFolderSource({ folder: 'data/faces', channels: 3 });
 */
export function pngFolderSource(options: PngFolderSourceOptions): DataSource {
  const { pixels, shape, labels, classNames } = readPngFolder(options);
  const x = tf.tensor(pixels, shape);
  if (labels === undefined) return tensorSource(x);
  return tensorSource(x, tf.tensor1d(labels, 'int32'), classNames?.length);
}
