/** Small canvas plots: scatter, lines and a histogram, scaled for the device's pixel ratio. */

export interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

export interface Axes {
  x: [number, number];
  y: [number, number];
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
  /** Draw the series' legend in the plot (default true). */
  legend?: boolean;
}

const FONT = '12px system-ui, sans-serif';
const MARGIN = { left: 48, right: 10, top: 10, bottom: 32 };

/** Sizes the canvas backing store to its CSS box and returns a cleared context. */
function prepare(canvas: HTMLCanvasElement): {
  context: CanvasRenderingContext2D;
  width: number;
  height: number;
} {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = canvas.clientWidth || 320;
  const height = canvas.clientHeight || 240;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.font = FONT;
  return { context, width, height };
}

function tickValues(low: number, high: number, count = 5): number[] {
  const span = high - low || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((m) => m >= raw) ?? raw;
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) {
    ticks.push(Math.abs(value) < step * 1e-9 ? 0 : value);
  }
  return ticks;
}

function formatTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e4 || magnitude < 1e-2)) return value.toExponential(0);
  return String(Number(value.toPrecision(3)));
}

/** Draws axes and returns the data-to-pixel maps. */
function frame(
  context: CanvasRenderingContext2D,
  width: number,
  height: number,
  axes: Axes,
): { px: (x: number) => number; py: (y: number) => number } {
  const [x0, x1] = axes.x;
  const transform = (y: number) => (axes.logY ? Math.log10(Math.max(y, 1e-12)) : y);
  const y0 = transform(axes.y[0]);
  const y1 = transform(axes.y[1]);
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * innerWidth;
  const py = (y: number) => MARGIN.top + (1 - (transform(y) - y0) / (y1 - y0 || 1)) * innerHeight;
  context.strokeStyle = '#ccc';
  context.fillStyle = '#444';
  context.lineWidth = 1;
  context.textAlign = 'center';
  for (const tick of tickValues(x0, x1)) {
    const x = px(tick);
    context.beginPath();
    context.moveTo(x, MARGIN.top);
    context.lineTo(x, height - MARGIN.bottom);
    context.stroke();
    context.fillText(formatTick(tick), x, height - MARGIN.bottom + 14);
  }
  context.textAlign = 'right';
  for (const tick of tickValues(y0, y1)) {
    const y = MARGIN.top + (1 - (tick - y0) / (y1 - y0 || 1)) * innerHeight;
    context.beginPath();
    context.moveTo(MARGIN.left, y);
    context.lineTo(width - MARGIN.right, y);
    context.stroke();
    context.fillText(formatTick(axes.logY ? 10 ** tick : tick), MARGIN.left - 4, y + 4);
  }
  context.textAlign = 'center';
  if (axes.xLabel) context.fillText(axes.xLabel, MARGIN.left + innerWidth / 2, height - 4);
  if (axes.yLabel) {
    context.save();
    context.translate(11, MARGIN.top + innerHeight / 2);
    context.rotate(-Math.PI / 2);
    context.fillText(axes.yLabel, 0, 0);
    context.restore();
  }
  return { px, py };
}

function legend(context: CanvasRenderingContext2D, width: number, series: Series[]): void {
  if (series.length === 0) return;
  // A light box behind the entries keeps them readable over the curves.
  const textWidth = Math.max(...series.map((entry) => context.measureText(entry.label).width));
  context.fillStyle = 'rgba(255,255,255,0.85)';
  context.fillRect(
    width - MARGIN.right - textWidth - 22,
    MARGIN.top + 1,
    textWidth + 22,
    series.length * 16 + 4,
  );
  context.textAlign = 'right';
  series.forEach((entry, index) => {
    const y = MARGIN.top + 14 + index * 16;
    context.fillStyle = entry.color;
    context.fillRect(width - MARGIN.right - 12, y - 9, 10, 10);
    context.fillStyle = '#222';
    context.fillText(entry.label, width - MARGIN.right - 16, y);
  });
}

/** Points as small dots, each series in its colour. */
export function drawScatter(canvas: HTMLCanvasElement, series: Series[], axes: Axes): void {
  const { context, width, height } = prepare(canvas);
  const { px, py } = frame(context, width, height, axes);
  for (const entry of series) {
    context.fillStyle = entry.color;
    for (const [x, y] of entry.points) context.fillRect(px(x) - 1.25, py(y) - 1.25, 2.5, 2.5);
  }
  legend(context, width, series);
}

/** Lines through each series' points (non-finite values break the line). */
export function drawLines(canvas: HTMLCanvasElement, series: Series[], axes: Axes): void {
  const { context, width, height } = prepare(canvas);
  const { px, py } = frame(context, width, height, axes);
  context.save();
  context.beginPath();
  context.rect(
    MARGIN.left,
    MARGIN.top,
    width - MARGIN.left - MARGIN.right,
    height - MARGIN.top - MARGIN.bottom,
  );
  context.clip();
  for (const entry of series) {
    context.strokeStyle = entry.color;
    context.lineWidth = 1.75;
    context.beginPath();
    let drawing = false;
    for (const [x, y] of entry.points) {
      if (!Number.isFinite(y) || (axes.logY && y <= 0)) {
        drawing = false;
        continue;
      }
      if (drawing) context.lineTo(px(x), py(y));
      else context.moveTo(px(x), py(y));
      drawing = true;
    }
    context.stroke();
  }
  context.restore();
  if (axes.legend !== false) legend(context, width, series);
}

/** A histogram of `values` in `bins` equal bins over `range`; values outside go to the end bins. */
export function drawHistogram(
  canvas: HTMLCanvasElement,
  values: number[],
  range: [number, number],
  bins: number,
  color: string,
  xLabel: string,
): number[] {
  const counts = new Array<number>(bins).fill(0);
  const [low, high] = range;
  for (const value of values) {
    const index = Math.min(
      bins - 1,
      Math.max(0, Math.floor(((value - low) / (high - low)) * bins)),
    );
    counts[index] = (counts[index] as number) + 1;
  }
  const { context, width, height } = prepare(canvas);
  const top = Math.max(1, ...counts);
  const { px, py } = frame(context, width, height, {
    x: range,
    y: [0, top],
    xLabel,
    yLabel: 'samples',
  });
  context.fillStyle = color;
  counts.forEach((count, index) => {
    const left = px(low + ((high - low) * index) / bins);
    const right = px(low + ((high - low) * (index + 1)) / bins);
    context.fillRect(left + 0.5, py(count), Math.max(1, right - left - 1), py(0) - py(count));
  });
  return counts;
}
