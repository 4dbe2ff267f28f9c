/** A colour as `#rrggbb`. */
export type Color = string;

/** matplotlib's "tab10" colours. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/** One shape of a plot, in pixel coordinates (origin top left, y down). */
export type Shape =
  | {
      kind: 'rectangle';
      x: number;
      y: number;
      width: number;
      height: number;
      fill?: Color;
      stroke?: Color;
    }
  | {
      kind: 'polyline';
      points: readonly (readonly [number, number])[];
      color: Color;
      width: number;
    }
  | { kind: 'circle'; x: number; y: number; radius: number; fill: Color; opacity: number }
  | {
      kind: 'text';
      x: number;
      /** Baseline. */
      y: number;
      text: string;
      color: Color;
      size: number;
      anchor: 'start' | 'middle' | 'end';
    };

/** A picture as a list of shapes, drawn in order; rendered to SVG or PNG. */
export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly background: Color;
  readonly shapes: readonly Shape[];
}

/**
 * Parses `#rrggbb` (or `#rgb`) into red, green and blue in 0..255; errors name `argument`.
 *
 * @example parseColor('color', '#ff8000') // [255, 128, 0]
 */
export function parseColor(argument: string, color: Color): [number, number, number] {
  const match = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(color ?? '');
  if (!match)
    throw new TypeError(
      `${argument} must be a colour like '#1f77b4', got ${JSON.stringify(color)}`,
    );
  const hex =
    (match[1] as string).length === 3
      ? [...(match[1] as string)].map((digit) => digit + digit).join('')
      : (match[1] as string);
  return [0, 2, 4].map((start) => Number.parseInt(hex.slice(start, start + 2), 16)) as [
    number,
    number,
    number,
  ];
}
