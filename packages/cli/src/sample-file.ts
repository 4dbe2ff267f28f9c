import { existsSync, readFileSync, statSync } from 'node:fs';
import { decodeNpz, type NpyArray } from '@fdistill/eval';
import { readPngFolder } from '@fdistill/trainer/node';
import { FASHION_MNIST_PADDED_SIZE, FASHION_MNIST_SIZE } from './fashion-mnist.js';
import { IMAGE_VALUES, type LabelledImages } from './labelled-images.js';
import { fromPixelLevels } from './pixel-levels.js';
import { ConfigError } from './run-config.js';

/** Names under which the field's tools store images and labels in an `.npz`. */
const IMAGE_KEYS = ['samples', 'images', 'arr_0'] as const;
const LABEL_KEYS = ['labels', 'arr_1'] as const;

/** The 28x28 centre of grey images [N, side, side] given as one flat array (side 28 or 32). */
function centreCrop(values: Float32Array, count: number, side: number): Float32Array {
  if (side === FASHION_MNIST_SIZE) return values;
  const offset = (side - FASHION_MNIST_SIZE) / 2;
  const cropped = new Float32Array(count * IMAGE_VALUES);
  for (let image = 0; image < count; image++) {
    for (let row = 0; row < FASHION_MNIST_SIZE; row++) {
      const from = image * side * side + (row + offset) * side + offset;
      cropped.set(
        values.subarray(from, from + FASHION_MNIST_SIZE),
        image * IMAGE_VALUES + row * FASHION_MNIST_SIZE,
      );
    }
  }
  return cropped;
}

/** Checks a [N, H, W(, 1)] shape and returns N and the side. */
function imageShape(source: string, shape: readonly number[]): { count: number; side: number } {
  const [count, height, width, channels = 1] = shape;
  const sides = [FASHION_MNIST_SIZE, FASHION_MNIST_PADDED_SIZE];
  if (
    !(shape.length === 3 || shape.length === 4) ||
    channels !== 1 ||
    height !== width ||
    !sides.includes(height as number) ||
    !(count !== undefined && count >= 2)
  ) {
    throw new ConfigError(
      `${source} holds images of shape [${shape}], expected at least 2 grey 28x28 images [N, 28, 28, 1] (or [N, 28, 28], or 32x32 padded)`,
    );
  }
  return { count, side: height as number };
}

/** Integer labels in [0, 9], one per image. */
function readLabels(source: string, array: NpyArray, count: number): number[] {
  const labels = Array.from(array.data);
  if (array.shape.length !== 1 || labels.length !== count) {
    throw new ConfigError(
      `${source}: labels have shape [${array.shape}], expected [${count}] (one per image)`,
    );
  }
  const bad = labels.find((label) => !(Number.isInteger(label) && label >= 0 && label <= 9));
  if (bad !== undefined) {
    throw new ConfigError(`${source}: labels must be integers in [0, 9], found ${bad}`);
  }
  return labels;
}

/** Images and labels of an `.npz` in the field's format (uint8 pixel levels). */
async function readNpzSamples(path: string): Promise<LabelledImages> {
  let arrays: Map<string, NpyArray>;
  try {
    arrays = await decodeNpz(readFileSync(path));
  } catch (error) {
    throw new ConfigError(`${path} is not a readable .npz (${(error as Error).message})`);
  }
  const imageKey = IMAGE_KEYS.find((key) => arrays.has(key));
  if (imageKey === undefined) {
    throw new ConfigError(
      `${path} has no images: expected an array named ${IMAGE_KEYS.join(', ')} (found ${[...arrays.keys()].join(', ') || 'none'})`,
    );
  }
  const array = arrays.get(imageKey) as NpyArray;
  const { count, side } = imageShape(`${path}: ${imageKey}`, array.shape);
  const outOfRange = array.data.find((level) => !(level >= 0 && level <= 255));
  if (outOfRange !== undefined) {
    throw new ConfigError(
      `${path}: ${imageKey} must hold pixel levels in [0, 255] (uint8, as the field saves samples), found ${outOfRange}`,
    );
  }
  const images = centreCrop(fromPixelLevels(array.data), count, side);
  const labelKey = LABEL_KEYS.find((key) => arrays.has(key));
  if (labelKey === undefined) return { images, count };
  return { images, count, labels: readLabels(path, arrays.get(labelKey) as NpyArray, count) };
}

/** Images of a PNG folder; class subfolders named 0..9 give labels. */
function readPngSamples(folder: string): LabelledImages {
  let content: ReturnType<typeof readPngFolder>;
  try {
    content = readPngFolder({ folder, channels: 1 });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const { count, side } = imageShape(folder, content.shape);
  const images = centreCrop(content.pixels, count, side);
  if (content.labels === undefined) return { images, count };
  const names = content.classNames ?? [];
  const labels = content.labels.map((index) => Number(names[index]));
  if (labels.some((label) => !(Number.isInteger(label) && label >= 0 && label <= 9))) {
    throw new ConfigError(
      `${folder}: class subfolders must be named 0..9 (the label), found ${names.join(', ')}`,
    );
  }
  return { images, count, labels };
}

/**
 * Reads generated (or real) Fashion-MNIST-like samples to score: an `.npz` with uint8 `samples`
 * (or `images` / `arr_0`) [N, 28, 28, 1] and optional `labels` (or `arr_1`), or a folder of
 * PNGs (in class subfolders 0..9 for labels). 32x32 images are centre-cropped to 28x28.
 * Anything else stops with a `ConfigError` naming the file and what was expected.
 *
 * @example const { images, count, labels } = await readSampleFile('samples.npz');
 */
export async function readSampleFile(path: string): Promise<LabelledImages> {
  if (!existsSync(path)) throw new ConfigError(`--samples ${path}: no such file or folder`);
  if (statSync(path).isDirectory()) return readPngSamples(path);
  if (!/\.npz$/i.test(path)) {
    throw new ConfigError(`--samples ${path}: expected an .npz file or a folder of PNGs`);
  }
  return readNpzSamples(path);
}
