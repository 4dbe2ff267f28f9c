import type { Color, Shape } from './plot-scene.js';

/** A closed interval of data values. */
export interface Interval {
  readonly min: number;
  readonly max: number;
}

/** The plot area in pixels and the maps from data to pixels. */
export interface PlotFrame {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  x(value: number): number;
  y(value: number): number;
}

/** A legend entry: a dot (scatter) or a short line (chart), or a cross (mode centres). */
export interface LegendEntry {
  readonly name: string;
  readonly color: Color;
  readonly marker: 'dot' | 'line' | 'cross';
}

/** Text and frame colours of every plot. */
export const INK = '#222222';
const FRAME = '#888888';
const GRID = '#e6e6e6';
const TICK_SIZE = 11;
const TITLE_SIZE = 18;

/**
 * About `target` round tick values (steps of 1, 2 or 5 times a power of ten) inside `interval`.
 *
 * @example niceTicks({ min: 0, max: 1 }) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(interval: Interval, target = 5): { values: number[]; step: number } {
  const span = interval.max - interval.min;
  const rough = span / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const values: number[] = [];
  const first = Math.ceil(interval.min / step - 1e-9);
  const last = Math.floor(interval.max / step + 1e-9);
  // k * step rounded to 12 significant digits: 0.6, not 0.6000000000000001 (and no -0).
  for (let k = first; k <= last; k++) values.push(Number((k * step).toPrecision(12)) || 0);
  return { values, step };
}

/**
 * A tick label with as many decimals as the step needs (exponent form for very large or small).
 *
 * @example formatTick(0.30000000000000004, 0.1) // '0.3'
 */
export function formatTick(value: number, step: number): string {
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4))
    return value.toExponential(1);
  const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/**
 * Widens an empty or degenerate interval and adds `fraction` of padding on both sides.
 *
 * @example padInterval({ min: 0, max: 10 }, 0.05) // { min: -0.5, max: 10.5 }
 */
export function padInterval(interval: Interval, fraction: number): Interval {
  let { min, max } = interval;
  if (!(max > min)) {
    const half = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= half;
    max += half;
  }
  const padding = (max - min) * fraction;
  return { min: min - padding, max: max + padding };
}

/**
 * The visible value range of a chart: `requested` (checked: finite, high > low) or `automatic`.
 *
 * @example visibleRange('lineChartSvg', [0, 1], { min: 0.2, max: 0.4 }) // { min: 0, max: 1 }
 */
export function visibleRange(
  caller: string,
  requested: readonly [number, number] | undefined,
  automatic: Interval,
): Interval {
  if (requested === undefined) return automatic;
  const [low, high] = requested;
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(high > low)) {
    throw new RangeError(
      `${caller}: options.yRange must be [low, high] with high > low, got [${low}, ${high}]`,
    );
  }
  return { min: low, max: high };
}

/** What `buildAxes` draws: the frame's size, its data ranges, its words and its legend. */
export interface AxesOptions {
  width: number;
  height: number;
  xInterval: Interval;
  yInterval: Interval;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Names of categories at x = 0.5, 1.5, ... (a bar chart) instead of numeric x ticks. */
  xCategories?: readonly string[];
  legend: readonly LegendEntry[];
}

/** Grid lines and tick labels (or category names) of both axes. */
function tickShapes(frame: PlotFrame, options: AxesOptions): Shape[] {
  const { left, top, width: plotWidth, height: plotHeight } = frame;
  const shapes: Shape[] = [];
  const xTicks = niceTicks(options.xInterval);
  const yTicks = niceTicks(options.yInterval);
  options.xCategories?.forEach((name, index) => {
    shapes.push({
      kind: 'text',
      x: frame.x(index + 0.5),
      y: top + plotHeight + 18,
      text: name,
      color: INK,
      size: TICK_SIZE,
      anchor: 'middle',
    });
  });
  for (const tick of options.xCategories ? [] : xTicks.values) {
    const x = frame.x(tick);
    shapes.push({
      kind: 'polyline',
      points: [
        [x, top],
        [x, top + plotHeight],
      ],
      color: GRID,
      width: 1,
    });
    shapes.push({
      kind: 'text',
      x,
      y: top + plotHeight + 18,
      text: formatTick(tick, xTicks.step),
      color: INK,
      size: TICK_SIZE,
      anchor: 'middle',
    });
  }
  for (const tick of yTicks.values) {
    const y = frame.y(tick);
    shapes.push({
      kind: 'polyline',
      points: [
        [left, y],
        [left + plotWidth, y],
      ],
      color: GRID,
      width: 1,
    });
    shapes.push({
      kind: 'text',
      x: left - 6,
      y: y + 4,
      text: formatTick(tick, yTicks.step),
      color: INK,
      size: TICK_SIZE,
      anchor: 'end',
    });
  }
  return shapes;
}

/** The title above the frame, the x label below it and the y label above its left edge. */
function labelShapes(frame: PlotFrame, options: AxesOptions): Shape[] {
  const { left, top, width: plotWidth } = frame;
  const text = (x: number, y: number, words: string, size: number, anchor: 'start' | 'middle') =>
    ({ kind: 'text', x, y, text: words, color: INK, size, anchor }) as const;
  const shapes: Shape[] = [];
  if (options.title)
    shapes.push(text(left + plotWidth / 2, 26, options.title, TITLE_SIZE, 'middle'));
  if (options.xLabel) {
    shapes.push(
      text(left + plotWidth / 2, options.height - 12, options.xLabel, TICK_SIZE, 'middle'),
    );
  }
  if (options.yLabel) shapes.push(text(8, top - 10, options.yLabel, TICK_SIZE, 'start'));
  return shapes;
}

/** One row per legend entry in the frame's top right corner: the name, then its marker. */
function legendShapes(frame: PlotFrame, entries: readonly LegendEntry[]): Shape[] {
  const legend: Shape[] = [];
  entries.forEach((entry, index) => {
    const y = frame.top + 16 + index * 16;
    const x = frame.left + frame.width - 12;
    legend.push({
      kind: 'text',
      x: x - 14,
      y: y + 4,
      text: entry.name,
      color: INK,
      size: TICK_SIZE,
      anchor: 'end',
    });
    if (entry.marker === 'dot')
      legend.push({ kind: 'circle', x, y, radius: 4, fill: entry.color, opacity: 1 });
    else if (entry.marker === 'line')
      legend.push({
        kind: 'polyline',
        points: [
          [x - 7, y],
          [x + 7, y],
        ],
        color: entry.color,
        width: 2,
      });
    else legend.push(...crossShapes(x, y, 4, entry.color));
  });
  return legend;
}

/**
 * The axes of a plot: frame, grid, tick labels, title, axis labels and legend, and the frame's
 * data-to-pixel maps.
 *
 * @example const { frame, shapes, legend } = buildAxes({ width: 480, height: 480, xInterval, yInterval, legend: [] });
 */
export function buildAxes(options: AxesOptions): {
  frame: PlotFrame;
  shapes: Shape[];
  legend: Shape[];
} {
  const { width, height, xInterval, yInterval } = options;
  const left = 64;
  const top = options.title || options.yLabel ? 40 : 16;
  const right = 16;
  const bottom = options.xLabel ? 52 : 36;
  const plotWidth = Math.max(1, width - left - right);
  const plotHeight = Math.max(1, height - top - bottom);
  const frame: PlotFrame = {
    left,
    top,
    width: plotWidth,
    height: plotHeight,
    x: (value) => left + ((value - xInterval.min) / (xInterval.max - xInterval.min)) * plotWidth,
    y: (value) =>
      top + plotHeight - ((value - yInterval.min) / (yInterval.max - yInterval.min)) * plotHeight,
  };
  const outline: Shape = {
    kind: 'rectangle',
    x: left,
    y: top,
    width: plotWidth,
    height: plotHeight,
    stroke: FRAME,
  };
  const shapes = [...tickShapes(frame, options), outline, ...labelShapes(frame, options)];
  // The legend goes last so that it is drawn over the data.
  return { frame, shapes, legend: legendShapes(frame, options.legend) };
}

/**
 * The axes of a chart of named series (line and bar charts): `buildAxes` with a line-marker
 * legend entry per series, and `clampY`, which keeps a pixel row inside the frame.
 *
 * @example const { frame, clampY } = seriesChartAxes({ width: 640, height: 400, xInterval, yInterval }, [{ name: 'FID', color: '#1f77b4' }]);
 */
export function seriesChartAxes(
  options: Omit<Parameters<typeof buildAxes>[0], 'legend'>,
  series: readonly { name: string; color: Color }[],
): ReturnType<typeof buildAxes> & { clampY: (y: number) => number } {
  const legend: LegendEntry[] = series.map(({ name, color }) => ({ name, color, marker: 'line' }));
  const axes = buildAxes({ ...options, legend });
  const { top, height } = axes.frame;
  return { ...axes, clampY: (y) => Math.min(top + height, Math.max(top, y)) };
}

/**
 * A `+` marker of half-size `size` at `(x, y)`.
 *
 * @example crossShapes(100, 100, 5, '#222222') // two 10-pixel strokes
 */
export function crossShapes(x: number, y: number, size: number, color: Color): Shape[] {
  return [
    {
      kind: 'polyline',
      points: [
        [x - size, y],
        [x + size, y],
      ],
      color,
      width: 2,
    },
    {
      kind: 'polyline',
      points: [
        [x, y - size],
        [x, y + size],
      ],
      color,
      width: 2,
    },
  ];
}
