import { assertIntegerAtLeast, describeValue } from '@fdistill/utils';
import { padInterval, seriesChartAxes, visibleRange } from './plot-axes.js';
import { type Color, PALETTE, parseColor, type Scene, type Shape } from './plot-scene.js';
import { renderPng } from './png-renderer.js';
import { renderSvg } from './svg-renderer.js';

/** One metric over training steps; non-finite values (NaN) leave a gap. */
export interface MetricSeries {
  readonly name: string;
  readonly steps: readonly number[];
  readonly values: readonly number[];
  /** Default: the next colour of a ten-colour palette. */
  readonly color?: Color;
}

/** Options of `lineChartSvg` and `lineChartPng`. */
export interface LineChartOptions {
  /** Pixels; default 640. */
  width?: number;
  /** Pixels; default 400. */
  height?: number;
  title?: string;
  /** Default `'step'`. */
  xLabel?: string;
  yLabel?: string;
  /** Visible value range; default: every finite value, padded by 5%. */
  yRange?: readonly [number, number];
}

/**
 * A line chart of one or more metric series over steps (FID, recall, modes captured...), as SVG.
 *
 * @example
 * const svg = lineChartSvg([{ name: 'FID', steps: [0, 1000, 2000], values: [40.1, 12.3, 8.7] }], { yLabel: 'FID' });
 */
export function lineChartSvg(
  series: MetricSeries | readonly MetricSeries[],
  options: LineChartOptions = {},
): string {
  return renderSvg(lineChartScene('lineChartSvg', series, options));
}

/**
 * The same chart as `lineChartSvg`, as PNG bytes.
 *
 * @example await writeFileAtomic('runs/cifar/fid.png', lineChartPng(fidSeries, { title: 'FID' }));
 */
export function lineChartPng(
  series: MetricSeries | readonly MetricSeries[],
  options: LineChartOptions = {},
): Uint8Array {
  return renderPng(lineChartScene('lineChartPng', series, options));
}

/**
 * The shapes of a line chart (exported for tests and custom renderers).
 *
 * @example renderSvg(lineChartScene('chart', { name: 'FID', steps: [0, 1], values: [9, 4] }, {}))
 */
export function lineChartScene(
  caller: string,
  input: MetricSeries | readonly MetricSeries[],
  options: LineChartOptions,
): Scene {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  assertIntegerAtLeast(`${caller}: options.width`, width, 64);
  assertIntegerAtLeast(`${caller}: options.height`, height, 64);
  const list: readonly MetricSeries[] = Array.isArray(input) ? input : [input as MetricSeries];
  if (list.length === 0) throw new RangeError(`${caller}(series): series must not be empty`);
  const series = list.map((entry, index) =>
    checkSeries(`${caller}(series): series[${index}]`, entry, index),
  );
  const steps = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
  const values = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
  for (const entry of series) {
    entry.steps.forEach((step, index) => {
      steps.min = Math.min(steps.min, step);
      steps.max = Math.max(steps.max, step);
      const value = entry.values[index] as number;
      if (Number.isFinite(value)) {
        values.min = Math.min(values.min, value);
        values.max = Math.max(values.max, value);
      }
    });
  }
  if (!Number.isFinite(steps.min)) Object.assign(steps, { min: 0, max: 1 });
  if (!Number.isFinite(values.min)) Object.assign(values, { min: 0, max: 1 });
  const yInterval = visibleRange(caller, options.yRange, padInterval(values, 0.05));
  const xInterval = steps.max > steps.min ? steps : padInterval(steps, 0);
  const axes = seriesChartAxes(
    {
      width,
      height,
      xInterval,
      yInterval,
      xLabel: options.xLabel ?? 'step',
      title: options.title,
      yLabel: options.yLabel,
    },
    series,
  );
  const { clampY } = axes;
  const shapes: Shape[] = [...axes.shapes];
  for (const entry of series) {
    let segment: [number, number][] = [];
    const flush = () => {
      if (segment.length === 1) {
        const [x, y] = segment[0] as [number, number];
        shapes.push({ kind: 'circle', x, y, radius: 2, fill: entry.color, opacity: 1 });
      } else if (segment.length > 1)
        shapes.push({ kind: 'polyline', points: segment, color: entry.color, width: 2 });
      segment = [];
    };
    entry.order.forEach((index) => {
      const value = entry.values[index] as number;
      if (!Number.isFinite(value)) flush();
      else segment.push([axes.frame.x(entry.steps[index] as number), clampY(axes.frame.y(value))]);
    });
    flush();
  }
  return { width, height, background: '#ffffff', shapes: [...shapes, ...axes.legend] };
}

function checkSeries(argument: string, series: MetricSeries, index: number) {
  if (typeof series !== 'object' || series === null) {
    throw new TypeError(
      `${argument} must be { name, steps, values }, got ${describeValue(series)}`,
    );
  }
  const { name, steps, values } = series;
  if (typeof name !== 'string')
    throw new TypeError(`${argument}.name must be a string, got ${describeValue(name)}`);
  if (
    !Array.isArray(steps) ||
    !steps.every((step) => typeof step === 'number' && Number.isFinite(step))
  ) {
    throw new TypeError(`${argument}.steps must be an array of finite numbers`);
  }
  if (
    !Array.isArray(values) ||
    values.length !== steps.length ||
    !values.every((value) => typeof value === 'number')
  ) {
    throw new RangeError(
      `${argument}.values must hold ${steps.length} numbers like steps, got ${describeValue(values)}`,
    );
  }
  const color = series.color ?? (PALETTE[index % PALETTE.length] as string);
  parseColor(`${argument}.color`, color);
  // Draw in step order whatever the input order.
  const order = steps
    .map((_, position) => position)
    .sort((a, b) => (steps[a] as number) - (steps[b] as number));
  return { name, steps, values, color, order };
}
