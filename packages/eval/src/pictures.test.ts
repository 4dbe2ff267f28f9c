import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { glyphRows } from './bitmap-font.js';
import { lineChartPng, lineChartScene, lineChartSvg } from './line-chart.js';
import { formatTick, niceTicks } from './plot-axes.js';
import { renderPng } from './png-renderer.js';
import { sampleGridPng, sampleGridsPng } from './sample-grid.js';
import { scatterPlotPng, scatterPlotScene, scatterPlotSvg } from './scatter-plot.js';

/** RGB of pixel (x, y) of a decoded PNG. */
function rgbAt(png: PNG, x: number, y: number): number[] {
  const at = (y * png.width + x) * 4;
  return [png.data[at] as number, png.data[at + 1] as number, png.data[at + 2] as number];
}

describe('sampleGridsPng', () => {
  it('puts panels side by side under their titles, with row labels at the left', () => {
    const white = { data: Float32Array.of(1), shape: [1, 1, 1, 1] };
    const black = { data: Float32Array.of(-1), shape: [1, 1, 1, 1] };
    const grey = { data: Float32Array.of(0), shape: [1, 1, 1, 1] };
    const png = PNG.sync.read(
      Buffer.from(
        sampleGridsPng(
          [
            { images: white, title: 'A' },
            { images: grey, title: 'B' },
          ],
          { columns: 1, padding: 10, scale: 10, rowLabels: ['XY'], background: '#ff0000' },
        ),
      ),
    );
    // Row labels: 2 glyphs of 6 + 2 margins of 4 = 20; each grid 10 + 2 * 10 = 30, panels 40 apart.
    // Title band: 7 + 2 * 4 = 15.
    expect([png.width, png.height]).toEqual([20 + 30 + 40 + 30, 15 + 30]);
    expect(rgbAt(png, 20 + 15, 15 + 15)).toEqual([255, 255, 255]); // panel 1 image
    expect(rgbAt(png, 20 + 70 + 15, 15 + 15)).toEqual([128, 128, 128]); // panel 2 image
    expect(rgbAt(png, 20 + 5, 15 + 5)).toEqual([255, 0, 0]); // padding
    expect(() =>
      sampleGridsPng([
        { images: white },
        { images: { data: new Float32Array(4), shape: [1, 2, 2, 1] } },
      ]),
    ).toThrow('every panel must hold images of one size (1x1), got 2x2');
    expect(() => sampleGridsPng([{ images: black }], { rowLabels: ['1'] })).not.toThrow();
  });
});

describe('sampleGridPng', () => {
  it('lays out images in a padded grid with EDM 8-bit levels', () => {
    // Three 2 x 2 RGB images: image n has value v_n everywhere except pixel (1, 0) = [-1, 0, 1].
    const values = [-1, 0, 1];
    const data = new Float32Array(3 * 2 * 2 * 3);
    values.forEach((value, n) => {
      data.fill(value, n * 12, n * 12 + 12);
      data.set([-1, 0, 1], n * 12 + 3); // y = 0, x = 1
    });
    const images = tf.tensor4d(data, [3, 2, 2, 3]);
    const png = PNG.sync.read(
      Buffer.from(sampleGridPng(images, { columns: 2, padding: 1, scale: 2 })),
    );
    images.dispose();
    // 2 columns x 4 pixels + 3 paddings; 2 rows x 4 pixels + 3 paddings.
    expect([png.width, png.height]).toEqual([11, 11]);
    expect(rgbAt(png, 0, 0)).toEqual([0, 0, 0]); // padding
    expect(rgbAt(png, 1, 1)).toEqual([0, 0, 0]); // image 0 is -1: level 0
    expect(rgbAt(png, 6, 1)).toEqual([128, 128, 128]); // image 1 is 0: level 128
    expect(rgbAt(png, 1, 6)).toEqual([255, 255, 255]); // image 2 is 1: level 255
    expect(rgbAt(png, 3, 2)).toEqual([0, 128, 255]); // image 0, pixel (1, 0), scaled by 2
    expect(rgbAt(png, 8, 8)).toEqual([0, 0, 0]); // the empty fourth cell
  });

  it('keeps grey images grey, takes NCHW, and validates', () => {
    const grey = { data: Float32Array.of(-1, -0.5, 0.5, 1), shape: [1, 1, 2, 2] };
    const png = PNG.sync.read(Buffer.from(sampleGridPng(grey, { padding: 0, layout: 'NCHW' })));
    expect([png.width, png.height]).toEqual([2, 2]);
    expect(rgbAt(png, 1, 0)).toEqual([64, 64, 64]); // floor(-0.5 * 127.5 + 128) = 64
    expect(rgbAt(png, 0, 1)).toEqual([191, 191, 191]);
    expect(() => sampleGridPng({ data: new Float32Array(8), shape: [2, 2, 2] })).toThrow(
      'images must be a rank-4 image batch (NHWC), got shape [2, 2, 2]',
    );
    expect(() => sampleGridPng(grey, { scale: 0, layout: 'NCHW' })).toThrow(
      'options.scale must be an integer >= 1, got 0',
    );
  });
});

describe('scatter plots', () => {
  const teacher = [
    [0, 0],
    [1, 1],
  ];
  const student = [[0.5, -0.25]];
  const bounds = { xMin: -1, xMax: 2, yMin: -1, yMax: 2 };

  it('places teacher and student points by the data-to-pixel map, in their colours', () => {
    const scene = scatterPlotScene('test', { teacher, student, modeCentres: [[1, 0]] }, { bounds });
    const circles = scene.shapes.filter((shape) => shape.kind === 'circle');
    // Two teacher points, one student point, two legend dots.
    expect(circles.map((circle) => circle.fill)).toEqual([
      '#1f77b4',
      '#1f77b4',
      '#ff7f0e',
      '#1f77b4',
      '#ff7f0e',
    ]);
    const [origin, unit] = circles;
    if (origin?.kind !== 'circle' || unit?.kind !== 'circle') throw new Error('circles expected');
    // Equal steps in data are equal steps in pixels; y points down.
    expect(unit.x - origin.x).toBeCloseTo((scene.width - 80) / 3, 6);
    expect(unit.y).toBeLessThan(origin.y);
    const png = PNG.sync.read(Buffer.from(renderPng(scene)));
    expect(rgbAt(png, Math.round(origin.x), Math.round(origin.y))).not.toEqual([255, 255, 255]);
  });

  it('writes SVG with one circle per point and escaped text, and PNG of the requested size', () => {
    const svg = scatterPlotSvg({ teacher, student }, { title: 'ring <8>', bounds });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480"')).toBe(
      true,
    );
    expect(svg.match(/<circle /g)?.length).toBe(3 + 2);
    expect(svg).toContain('ring &#60;8&#62;');
    const png = PNG.sync.read(
      Buffer.from(scatterPlotPng({ teacher, student: [] }, { width: 200, height: 150 })),
    );
    expect([png.width, png.height]).toEqual([200, 150]);
  });

  it('validates points, colours and bounds', () => {
    expect(() => scatterPlotSvg({ teacher: [[0, 0, 0]], student })).toThrow(
      'data.teacher must have 2 columns like a 2-D plot, got 3',
    );
    expect(() => scatterPlotSvg({ teacher, student }, { teacherColor: 'blue' })).toThrow(
      'options.teacherColor must be a colour like \'#1f77b4\', got "blue"',
    );
    expect(() => scatterPlotSvg({ teacher, student }, { bounds: { ...bounds, xMax: -5 } })).toThrow(
      'options.bounds must be finite with xMax > xMin',
    );
  });
});

describe('line charts', () => {
  const fid = { name: 'FID', steps: [0, 1000, 2000, 3000], values: [40, 12, Number.NaN, 8] };
  const recall = { name: 'recall', steps: [0, 1000, 2000, 3000], values: [0.2, 0.4, 0.5, 0.6] };

  it('draws each series in step order, leaving gaps at NaN', () => {
    const scene = lineChartScene('test', [fid, recall], {});
    const lines = scene.shapes.filter((shape) => shape.kind === 'polyline' && shape.width === 2);
    // FID: [0, 1000] then an isolated point at 3000; recall: one line of four points; two legend lines.
    const fidLines = lines.filter(
      (shape) => shape.kind === 'polyline' && shape.color === '#1f77b4',
    );
    expect(fidLines.map((shape) => (shape.kind === 'polyline' ? shape.points.length : 0))).toEqual([
      2, 2,
    ]);
    const dots = scene.shapes.filter((shape) => shape.kind === 'circle');
    expect(dots).toHaveLength(1);
    const recallLine = lines.find(
      (shape) => shape.kind === 'polyline' && shape.points.length === 4,
    );
    if (recallLine?.kind !== 'polyline') throw new Error('recall line expected');
    const xs = recallLine.points.map(([x]) => x);
    expect(xs[1] as number).toBeCloseTo(((xs[0] as number) + (xs[2] as number)) / 2, 6);
  });

  it('renders SVG and PNG that pngjs decodes', () => {
    const svg = lineChartSvg([fid, recall], { title: 'metrics', yLabel: 'value' });
    expect(svg).toContain('<polyline');
    expect(svg).toContain('>metrics</text>');
    const bytes = lineChartPng(fid, { width: 320, height: 200 });
    const png = PNG.sync.read(Buffer.from(bytes));
    expect([png.width, png.height]).toEqual([320, 200]);
    // Some pixels carry the series colour #1f77b4.
    let coloured = 0;
    for (let index = 0; index < png.width * png.height; index++) {
      if (
        png.data[index * 4] === 0x1f &&
        png.data[index * 4 + 1] === 0x77 &&
        png.data[index * 4 + 2] === 0xb4
      )
        coloured++;
    }
    expect(coloured).toBeGreaterThan(100);
  });

  it('validates series', () => {
    expect(() => lineChartSvg({ name: 'x', steps: [0, 1], values: [1] })).toThrow(
      'series[0].values must hold 2 numbers like steps',
    );
    expect(() => lineChartSvg([])).toThrow('series must not be empty');
  });
});

describe('plot helpers', () => {
  it('picks round ticks and formats them', () => {
    expect(niceTicks({ min: 0, max: 1 }).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks({ min: -3, max: 47 }).values).toEqual([0, 10, 20, 30, 40]);
    expect(formatTick(0.30000000000000004, 0.1)).toBe('0.3');
    expect(formatTick(2000, 500)).toBe('2000');
    expect(formatTick(3e7, 1e7)).toBe('3.0e+7');
    expect(glyphRows('1')[0]).toEqual([false, false, true, false, false]);
    expect(glyphRows('a')).toEqual(glyphRows('A'));
  });
});
