import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import { type Matrix, toMatrix } from './matrix.js';
import {
  buildAxes,
  crossShapes,
  type Interval,
  type LegendEntry,
  padInterval,
} from './plot-axes.js';
import { type Color, parseColor, type Scene, type Shape } from './plot-scene.js';
import { renderPng } from './png-renderer.js';
import { renderSvg } from './svg-renderer.js';

/** The points of a scatter plot: 2-D samples (one per row), teacher against student. */
export interface ScatterPlotData {
  readonly teacher: ArrayInput;
  readonly student: ArrayInput;
  /** Optional centres of the true modes, drawn as crosses. */
  readonly modeCentres?: ArrayInput;
}

/** Options of `scatterPlotSvg` and `scatterPlotPng`. */
export interface ScatterPlotOptions {
  /** Pixels; default 480. */
  width?: number;
  /** Pixels; default 480. */
  height?: number;
  /** Visible data range; default: every point, padded by 5%, with equal x and y scales. */
  bounds?: { xMin: number; xMax: number; yMin: number; yMax: number };
  title?: string;
  /** Default 1.5 pixels. */
  pointRadius?: number;
  /** Opacity of the points, so dense regions read darker; default 0.5. */
  opacity?: number;
  /** Default `'#1f77b4'` (blue). */
  teacherColor?: Color;
  /** Default `'#ff7f0e'` (orange). */
  studentColor?: Color;
  /** Default `'#222222'`. */
  modeColor?: Color;
  /** Legend names; default `teacher`, `student`, `modes`. */
  labels?: { teacher?: string; student?: string; modes?: string };
}

/**
 * A scatter plot of teacher and student samples in 2-D (and the true mode centres), as SVG text.
 *
 * @example
 * const svg = scatterPlotSvg({ teacher: teacherSamples, student: studentSamples, modeCentres: ring.means });
 * await writeFileAtomic('runs/ring8/scatter.svg', svg);
 */
export function scatterPlotSvg(data: ScatterPlotData, options: ScatterPlotOptions = {}): string {
  return renderSvg(scatterPlotScene('scatterPlotSvg', data, options));
}

/**
 * The same scatter plot as `scatterPlotSvg`, drawn into pixels and encoded as PNG bytes.
 *
 * @example await writeFileAtomic('runs/ring8/scatter.png', scatterPlotPng({ teacher, student }));
 */
export function scatterPlotPng(
  data: ScatterPlotData,
  options: ScatterPlotOptions = {},
): Uint8Array {
  return renderPng(scatterPlotScene('scatterPlotPng', data, options));
}

/**
 * The shapes of a scatter plot (exported for tests and custom renderers).
 *
 * @example renderSvg(scatterPlotScene('plot', { teacher, student }, {}))
 */
export function scatterPlotScene(
  caller: string,
  data: ScatterPlotData,
  options: ScatterPlotOptions,
): Scene {
  const width = options.width ?? 480;
  const height = options.height ?? 480;
  const radius = options.pointRadius ?? 1.5;
  const opacity = options.opacity ?? 0.5;
  assertIntegerAtLeast(`${caller}: options.width`, width, 64);
  assertIntegerAtLeast(`${caller}: options.height`, height, 64);
  assertPositiveNumber(`${caller}: options.pointRadius`, radius);
  if (!(opacity > 0 && opacity <= 1)) {
    throw new RangeError(`${caller}: options.opacity must be in (0, 1], got ${opacity}`);
  }
  const colors = {
    teacher: options.teacherColor ?? '#1f77b4',
    student: options.studentColor ?? '#ff7f0e',
    modes: options.modeColor ?? '#222222',
  };
  for (const [name, color] of Object.entries(colors))
    parseColor(`${caller}: options.${name}Color`, color);
  const points = (name: string, input: ArrayInput) =>
    toMatrix(`${caller}(data): data.${name}`, input, {
      minimumRows: 0,
      columns: 2,
      columnsOf: 'a 2-D plot',
    });
  const teacher = points('teacher', data?.teacher);
  const student = points('student', data?.student);
  const modes =
    data?.modeCentres === undefined ? undefined : points('modeCentres', data.modeCentres);
  const legend: LegendEntry[] = [
    { name: options.labels?.teacher ?? 'teacher', color: colors.teacher, marker: 'dot' },
    { name: options.labels?.student ?? 'student', color: colors.student, marker: 'dot' },
  ];
  if (modes)
    legend.push({ name: options.labels?.modes ?? 'modes', color: colors.modes, marker: 'cross' });
  const { xInterval, yInterval } = options.bounds
    ? checkBounds(caller, options.bounds)
    : automaticBounds([teacher, student, ...(modes ? [modes] : [])], width, height);
  const axes = buildAxes({
    width,
    height,
    xInterval,
    yInterval,
    ...(options.title ? { title: options.title } : {}),
    legend,
  });
  const { frame } = axes;
  const shapes: Shape[] = [...axes.shapes];
  const inside = (x: number, y: number) =>
    x >= xInterval.min && x <= xInterval.max && y >= yInterval.min && y <= yInterval.max;
  for (const [matrix, color] of [
    [teacher, colors.teacher],
    [student, colors.student],
  ] as const) {
    for (let row = 0; row < matrix.rows; row++) {
      const x = matrix.data[row * 2] as number;
      const y = matrix.data[row * 2 + 1] as number;
      if (inside(x, y))
        shapes.push({ kind: 'circle', x: frame.x(x), y: frame.y(y), radius, fill: color, opacity });
    }
  }
  if (modes) {
    for (let row = 0; row < modes.rows; row++) {
      const x = modes.data[row * 2] as number;
      const y = modes.data[row * 2 + 1] as number;
      if (inside(x, y)) shapes.push(...crossShapes(frame.x(x), frame.y(y), 5, colors.modes));
    }
  }
  return { width, height, background: '#ffffff', shapes: [...shapes, ...axes.legend] };
}

function checkBounds(
  caller: string,
  bounds: NonNullable<ScatterPlotOptions['bounds']>,
): { xInterval: Interval; yInterval: Interval } {
  const { xMin, xMax, yMin, yMax } = bounds;
  if (![xMin, xMax, yMin, yMax].every(Number.isFinite) || !(xMax > xMin) || !(yMax > yMin)) {
    throw new RangeError(
      `${caller}: options.bounds must be finite with xMax > xMin and yMax > yMin, got ${JSON.stringify(bounds)}`,
    );
  }
  return { xInterval: { min: xMin, max: xMax }, yInterval: { min: yMin, max: yMax } };
}

/** All points padded by 5%, widened so that one unit is as long on x as on y. */
function automaticBounds(
  matrices: readonly Matrix[],
  width: number,
  height: number,
): { xInterval: Interval; yInterval: Interval } {
  const x = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
  const y = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
  for (const matrix of matrices) {
    for (let row = 0; row < matrix.rows; row++) {
      const px = matrix.data[row * 2] as number;
      const py = matrix.data[row * 2 + 1] as number;
      x.min = Math.min(x.min, px);
      x.max = Math.max(x.max, px);
      y.min = Math.min(y.min, py);
      y.max = Math.max(y.max, py);
    }
  }
  if (!Number.isFinite(x.min))
    return { xInterval: { min: -1, max: 1 }, yInterval: { min: -1, max: 1 } };
  const xInterval = padInterval(x, 0.05);
  const yInterval = padInterval(y, 0.05);
  // Approximate plot area aspect (the axes take about 80 x 76 pixels).
  const aspect = (width - 80) / (height - 76);
  const xSpan = xInterval.max - xInterval.min;
  const ySpan = yInterval.max - yInterval.min;
  if (xSpan / ySpan < aspect) {
    const grow = (ySpan * aspect - xSpan) / 2;
    return { xInterval: { min: xInterval.min - grow, max: xInterval.max + grow }, yInterval };
  }
  const grow = (xSpan / aspect - ySpan) / 2;
  return { xInterval, yInterval: { min: yInterval.min - grow, max: yInterval.max + grow } };
}
