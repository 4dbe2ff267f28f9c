import { assertIntegerAtLeast, describeValue } from '@fdistill/utils';
import { padInterval, seriesChartAxes, visibleRange } from './plot-axes.js';
import { type Color, PALETTE, parseColor, type Scene, type Shape } from './plot-scene.js';
import { renderPng } from './png-renderer.js';
import { renderSvg } from './svg-renderer.js';

/** One bar per category: a mean and, optionally, the half-length of its error bar. */
export interface BarSeries {
  readonly name: string;
  /** One value per category (NaN leaves the bar out). */
  readonly values: readonly number[];
  /** Error-bar half-lengths (e.g. a standard deviation), one per category; default none. */
  readonly errors?: readonly number[];
  /** Default: the next colour of a ten-colour palette. */
  readonly color?: Color;
}

/** Options of `barChartSvg` and `barChartPng`. */
export interface BarChartOptions {
  /** Pixels; default 720. */
  width?: number;
  /** Pixels; default 400. */
  height?: number;
  title?: string;
  yLabel?: string;
  /** Visible value range; default from 0 (or the lowest value) to the highest bar top, padded. */
  yRange?: readonly [number, number];
}

/**
 * A grouped bar chart with error bars (one group per category, one bar per series), as SVG: e.g.
 * the mean ± standard deviation of each metric per divergence over seeds.
 *
 * @example
 * barChartSvg(['js', 'reverse-kl'], [{ name: 'recall', values: [0.8, 0.7], errors: [0.02, 0.05] }]);
 */
export function barChartSvg(
  categories: readonly string[],
  series: readonly BarSeries[],
  options: BarChartOptions = {},
): string {
  return renderSvg(barChartScene('barChartSvg', categories, series, options));
}

/**
 * The same chart as `barChartSvg`, as PNG bytes.
 *
 * @example writeFileSync('compare.png', barChartPng(['js'], [{ name: 'recall', values: [0.8] }]));
 */
export function barChartPng(
  categories: readonly string[],
  series: readonly BarSeries[],
  options: BarChartOptions = {},
): Uint8Array {
  return renderPng(barChartScene('barChartPng', categories, series, options));
}

/**
 * The shapes of a grouped bar chart (exported for tests and custom renderers).
 *
 * @example renderSvg(barChartScene('chart', ['a'], [{ name: 'x', values: [1] }], {}))
 */
export function barChartScene(
  caller: string,
  categories: readonly string[],
  input: readonly BarSeries[],
  options: BarChartOptions,
): Scene {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  assertIntegerAtLeast(`${caller}: options.width`, width, 64);
  assertIntegerAtLeast(`${caller}: options.height`, height, 64);
  if (
    !Array.isArray(categories) ||
    categories.length === 0 ||
    !categories.every((name) => typeof name === 'string')
  ) {
    throw new TypeError(
      `${caller}(categories): categories must be a non-empty array of strings, got ${describeValue(categories)}`,
    );
  }
  if (!Array.isArray(input) || input.length === 0) {
    throw new RangeError(`${caller}(series): series must be a non-empty array`);
  }
  const series = input.map((entry, index) =>
    checkBars(`${caller}(series): series[${index}]`, entry, index, categories.length),
  );
  let low = 0;
  let high = Number.NEGATIVE_INFINITY;
  for (const entry of series) {
    entry.values.forEach((value, index) => {
      if (!Number.isFinite(value)) return;
      const error = entry.errors[index] as number;
      low = Math.min(low, value - error);
      high = Math.max(high, value + error);
    });
  }
  if (!Number.isFinite(high)) high = 1;
  if (!(high > low)) high = low + 1;
  const yInterval = visibleRange(caller, options.yRange, {
    min: low,
    max: padInterval({ min: low, max: high }, 0.05).max,
  });
  const axes = seriesChartAxes(
    {
      width,
      height,
      xInterval: { min: 0, max: categories.length },
      yInterval,
      xCategories: categories,
      title: options.title,
      yLabel: options.yLabel,
    },
    series,
  );
  const { clampY } = axes;
  const shapes: Shape[] = [...axes.shapes];
  // Each group takes 80% of its slot, split evenly between the series.
  const barWidth = 0.8 / series.length;
  series.forEach((entry, seriesIndex) => {
    entry.values.forEach((value, category) => {
      if (!Number.isFinite(value)) return;
      const from = category + 0.1 + seriesIndex * barWidth;
      const left = axes.frame.x(from);
      const right = axes.frame.x(from + barWidth);
      const base = clampY(axes.frame.y(Math.max(yInterval.min, 0)));
      const tip = clampY(axes.frame.y(value));
      shapes.push({
        kind: 'rectangle',
        x: left,
        y: Math.min(base, tip),
        width: Math.max(1, right - left - 1),
        height: Math.max(1, Math.abs(base - tip)),
        fill: entry.color,
      });
      const error = entry.errors[category] as number;
      if (error > 0) {
        const centre = (left + right) / 2;
        const upper = clampY(axes.frame.y(value + error));
        const lower = clampY(axes.frame.y(value - error));
        const cap = Math.max(2, (right - left) / 4);
        shapes.push(
          {
            kind: 'polyline',
            points: [
              [centre, upper],
              [centre, lower],
            ],
            color: '#222222',
            width: 1,
          },
          {
            kind: 'polyline',
            points: [
              [centre - cap, upper],
              [centre + cap, upper],
            ],
            color: '#222222',
            width: 1,
          },
          {
            kind: 'polyline',
            points: [
              [centre - cap, lower],
              [centre + cap, lower],
            ],
            color: '#222222',
            width: 1,
          },
        );
      }
    });
  });
  return { width, height, background: '#ffffff', shapes: [...shapes, ...axes.legend] };
}

function checkBars(argument: string, series: BarSeries, index: number, categoryCount: number) {
  if (typeof series !== 'object' || series === null || typeof series.name !== 'string') {
    throw new TypeError(
      `${argument} must be { name, values, errors? }, got ${describeValue(series)}`,
    );
  }
  const numbers = (field: 'values' | 'errors', list: readonly number[] | undefined) => {
    if (
      !Array.isArray(list) ||
      list.length !== categoryCount ||
      !list.every((value) => typeof value === 'number')
    ) {
      throw new RangeError(
        `${argument}.${field} must hold ${categoryCount} numbers (one per category), got ${describeValue(list)}`,
      );
    }
    return list;
  };
  const values = numbers('values', series.values);
  const errors =
    series.errors === undefined
      ? values.map(() => 0)
      : numbers('errors', series.errors).map((error) =>
          Number.isFinite(error) ? Math.abs(error) : 0,
        );
  const color = series.color ?? (PALETTE[index % PALETTE.length] as string);
  parseColor(`${argument}.color`, color);
  return { name: series.name, values, errors, color };
}
