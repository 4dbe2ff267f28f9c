import { assertIntegerAtLeast } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import { type ImageLayout, pixelLevel, pixelValue, readImageBatch } from './image-batch.js';
import { parseColor } from './plot-scene.js';
import { RasterImage } from './raster-image.js';

/** Options of `sampleGridPng`. */
export interface SampleGridOptions {
  /** Images per row; default `ceil(sqrt(count))`. */
  columns?: number;
  /** Pixels between images and around the grid; default 2. */
  padding?: number;
  /** Whole-number upscaling (nearest neighbour), for small images; default 1. */
  scale?: number;
  /** Colour of the padding; default `'#000000'`. */
  background?: string;
  /** Axis order of the images; default `'NHWC'`. */
  layout?: ImageLayout;
}

/**
 * A grid of sample images as PNG bytes (pngjs). Images are a rank-4 tensor or `{ data, shape }`
 * (NHWC by default) with 1 or 3 channels and values in [-1, 1], turned into 8-bit levels as EDM
 * saves them (`clip(floor(x * 127.5 + 128), 0, 255)`); grey images stay grey.
 *
 * @example
 * const png = sampleGridPng(generator.predict(noise), { columns: 8, scale: 2 });
 * await writeFileAtomic('runs/cifar/samples.png', png);
 */
export function sampleGridPng(images: ArrayInput, options: SampleGridOptions = {}): Uint8Array {
  return sampleGridsPng([{ images }], options);
}

/** One labelled grid of `sampleGridsPng`. */
export interface SampleGridPanel {
  images: ArrayInput;
  /** Drawn above the grid (5x7 capitals). */
  title?: string;
}

/** Options of `sampleGridsPng`: those of `sampleGridPng` plus row labels. */
export interface SampleGridsOptions extends SampleGridOptions {
  /** One label per row, drawn left of the first grid (e.g. class names). */
  rowLabels?: readonly string[];
}

const TEXT_COLOR = [230, 230, 230] as const;
const TEXT_MARGIN = 4;
const GLYPH_CELL = 6;
const GLYPH_LINE = 7;

/**
 * Grids of sample images side by side in one PNG, each with an optional title, sharing row
 * labels at the left: e.g. a teacher's and a student's samples for the same labels. Every panel
 * is laid out like `sampleGridPng` with the same options.
 *
 * @example
 * sampleGridsPng(
 *   [{ images: teacherSamples, title: 'teacher 35 NFE' }, { images: studentSamples, title: 'student 1 NFE' }],
 *   { columns: 8, scale: 2, rowLabels: ['T-shirt', 'Trouser'] },
 * );
 */
export function sampleGridsPng(
  panels: readonly SampleGridPanel[],
  options: SampleGridsOptions = {},
): Uint8Array {
  if (!Array.isArray(panels) || panels.length === 0) {
    throw new RangeError('sampleGridsPng: panels must be a non-empty array of { images, title? }');
  }
  const batches = panels.map((panel, index) =>
    readImageBatch(
      panels.length === 1
        ? 'sampleGridPng(images): images'
        : `sampleGridsPng: panels[${index}].images`,
      panel.images,
      options.layout ?? 'NHWC',
    ),
  );
  const first = batches[0] as (typeof batches)[number];
  const columns = options.columns ?? Math.ceil(Math.sqrt(first.count));
  const padding = options.padding ?? 2;
  const scale = options.scale ?? 1;
  assertIntegerAtLeast('sampleGridPng: options.columns', columns, 1);
  assertIntegerAtLeast('sampleGridPng: options.padding', padding, 0);
  assertIntegerAtLeast('sampleGridPng: options.scale', scale, 1);
  const background = parseColor(
    'sampleGridPng: options.background',
    options.background ?? '#000000',
  );
  for (const batch of batches.slice(1)) {
    if (batch.width !== first.width || batch.height !== first.height) {
      throw new RangeError(
        `sampleGridsPng: every panel must hold images of one size (${first.height}x${first.width}), got ${batch.height}x${batch.width}`,
      );
    }
  }
  const rows = Math.max(...batches.map((batch) => Math.ceil(batch.count / columns)));
  const cellWidth = first.width * scale;
  const cellHeight = first.height * scale;
  const rowLabels = options.rowLabels ?? [];
  const labelWidth =
    rowLabels.length === 0
      ? 0
      : Math.max(...rowLabels.map((label) => label.length)) * GLYPH_CELL + 2 * TEXT_MARGIN;
  const titleHeight = panels.some((panel) => panel.title !== undefined)
    ? GLYPH_LINE + 2 * TEXT_MARGIN
    : 0;
  const gridWidth = columns * cellWidth + (columns + 1) * padding;
  const gridHeight = rows * cellHeight + (rows + 1) * padding;
  const image = new RasterImage(
    labelWidth + panels.length * gridWidth + (panels.length - 1) * 4 * padding,
    titleHeight + gridHeight,
    background,
  );
  rowLabels.forEach((label, row) => {
    const middle = titleHeight + padding + row * (cellHeight + padding) + cellHeight / 2;
    image.drawText(label, labelWidth - TEXT_MARGIN, middle + GLYPH_LINE / 2, TEXT_COLOR, 1, 'end');
  });
  batches.forEach((batch, panelIndex) => {
    const panelLeft = labelWidth + panelIndex * (gridWidth + 4 * padding);
    const title = panels[panelIndex]?.title;
    if (title !== undefined)
      image.drawText(
        title,
        panelLeft + gridWidth / 2,
        titleHeight - TEXT_MARGIN,
        TEXT_COLOR,
        1,
        'middle',
      );
    for (let n = 0; n < batch.count; n++) {
      const left = panelLeft + padding + (n % columns) * (cellWidth + padding);
      const top = titleHeight + padding + Math.floor(n / columns) * (cellHeight + padding);
      for (let y = 0; y < cellHeight; y++) {
        for (let x = 0; x < cellWidth; x++) {
          const at = ((top + y) * image.width + left + x) * 4;
          for (let c = 0; c < 3; c++) {
            const channel = batch.channels === 1 ? 0 : c;
            image.pixels[at + c] = pixelLevel(
              pixelValue(batch, n, Math.floor(y / scale), Math.floor(x / scale), channel),
            );
          }
        }
      }
    }
  });
  return image.toPng();
}
