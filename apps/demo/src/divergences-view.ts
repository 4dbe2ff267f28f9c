import {
  alphaDivergence,
  type Divergence,
  listDivergences,
  normalizedVariance,
} from '@fdistill/divergence';
import { drawLines, type Series } from './plots.js';

/** One colour per named divergence (the alpha family draws in black). */
export const DIVERGENCE_COLORS = [
  '#d93025',
  '#f29900',
  '#188038',
  '#12b5cb',
  '#1a73e8',
  '#9334e6',
  '#e52592',
  '#795548',
];

function range(low: number, high: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => low + ((high - low) * index) / (count - 1));
}

/** `fn(x)` where finite, NaN where it throws (outside the divergence's domain). */
function safely(fn: (x: number) => number, x: number): number {
  try {
    const value = fn(x);
    return Number.isFinite(value) ? value : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** What the divergence page drew, for the test: the number of finite points per curve. */
export interface DivergenceCurvesDrawn {
  alpha: number;
  series: { name: string; f: number; h: number; variance: number }[];
}

function seriesOf(
  divergences: Divergence[],
  colors: string[],
  xs: number[],
  map: (divergence: Divergence, x: number) => [number, number],
): Series[] {
  return divergences.map((divergence, index) => ({
    label: divergence.label,
    color: colors[index] as string,
    points: xs.map((x) => map(divergence, x)),
  }));
}

/** One legend for the three plots, as an HTML list (readable at any width). */
function drawLegend(list: HTMLElement, series: Series[]): void {
  list.replaceChildren(
    ...series.map((entry) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = entry.color;
      item.append(swatch, entry.label);
      return item;
    }),
  );
}

/** Draws f, h and the normalized variance of every divergence and of alpha(`alpha`). */
export function drawDivergences(alpha: number): DivergenceCurvesDrawn {
  const divergences = [...listDivergences(), alphaDivergence(alpha)];
  const colors = [...DIVERGENCE_COLORS, '#000'];
  const f = seriesOf(divergences, colors, range(0.02, 4, 200), (d, r) => [r, safely(d.f, r)]);
  const h = seriesOf(divergences, colors, range(-2, 2, 200), (d, logR) => [
    logR,
    safely(d.h, 10 ** logR),
  ]);
  const variance = seriesOf(divergences, colors, range(0.05, 3, 60), (d, m) => [
    m,
    safely((x) => normalizedVariance(d, x), m),
  ]);
  drawLegend(document.getElementById('divergence-legend') as HTMLElement, f);
  drawLines(document.getElementById('curve-f') as HTMLCanvasElement, f, {
    legend: false,
    x: [0, 4],
    y: [-0.5, 3],
    xLabel: 'r = p/q',
    yLabel: 'f(r)',
  });
  drawLines(document.getElementById('curve-h') as HTMLCanvasElement, h, {
    legend: false,
    x: [-2, 2],
    y: [1e-3, 1e3],
    logY: true,
    xLabel: 'log10 r',
    yLabel: 'h(r)',
  });
  drawLines(document.getElementById('curve-variance') as HTMLCanvasElement, variance, {
    legend: false,
    x: [0, 3],
    y: [1e-3, 1e4],
    logY: true,
    xLabel: 'mean distance m',
    yLabel: 'normalized variance',
  });
  const finite = (series: Series) => series.points.filter(([, y]) => Number.isFinite(y)).length;
  return {
    alpha,
    series: divergences.map((divergence, index) => ({
      name: divergence.name,
      f: finite(f[index] as Series),
      h: finite(h[index] as Series),
      variance: finite(variance[index] as Series),
    })),
  };
}

/** Fills the table of every divergence's properties. */
export function fillDivergenceTable(body: HTMLTableSectionElement): void {
  body.replaceChildren(
    ...listDivergences().map((divergence) => {
      const row = document.createElement('tr');
      const cells = [
        divergence.name,
        divergence.label,
        divergence.modeSeeking,
        divergence.saturates ? 'yes' : 'no',
        String(Number(divergence.weightingExponents.atZero.toFixed(2))),
        String(Number(divergence.weightingExponents.atInfinity.toFixed(2))),
      ];
      for (const text of cells) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }),
  );
}
