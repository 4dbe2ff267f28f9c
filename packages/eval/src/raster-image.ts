import { GLYPH_ADVANCE, GLYPH_HEIGHT, glyphRows } from './bitmap-font.js';
import { encodePng } from './png-encoder.js';

/** An opaque colour: red, green, blue in 0..255. */
type Rgb = readonly [number, number, number];

/**
 * An RGBA pixel buffer with the few drawing operations the plots need, encoded by `encodePng`.
 *
 * @example const image = new RasterImage(64, 64, [255, 255, 255]); image.fillDisc(32, 32, 4, [255, 0, 0]); image.toPng();
 */
export class RasterImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, 4 bytes per pixel. */
  readonly pixels: Uint8Array;

  /** A `width x height` image filled with an opaque colour. */
  constructor(width: number, height: number, background: Rgb) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height * 4);
    for (let index = 0; index < width * height; index++) {
      this.pixels.set([...background, 255], index * 4);
    }
  }

  /** Blends `color` over the pixel at integer `(x, y)` with `opacity`; outside is ignored. */
  blend(x: number, y: number, color: Rgb, opacity = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const at = (y * this.width + x) * 4;
    for (let channel = 0; channel < 3; channel++) {
      const current = this.pixels[at + channel] as number;
      this.pixels[at + channel] = Math.round(
        current + ((color[channel] as number) - current) * opacity,
      );
    }
    this.pixels[at + 3] = 255;
  }

  /** Fills the pixels whose centres lie inside the rectangle. */
  fillRectangle(x: number, y: number, width: number, height: number, color: Rgb): void {
    for (let row = Math.round(y); row < Math.round(y + height); row++) {
      for (let column = Math.round(x); column < Math.round(x + width); column++)
        this.blend(column, row, color);
    }
  }

  /** Fills the pixels whose centres lie within `radius` of `(x, y)` (at least the nearest one). */
  fillDisc(x: number, y: number, radius: number, color: Rgb, opacity = 1): void {
    const reach = Math.ceil(radius);
    const centreX = Math.round(x);
    const centreY = Math.round(y);
    for (let row = centreY - reach; row <= centreY + reach; row++) {
      for (let column = centreX - reach; column <= centreX + reach; column++) {
        const inside = (column - x) ** 2 + (row - y) ** 2 <= radius * radius;
        if (inside || (column === centreX && row === centreY))
          this.blend(column, row, color, opacity);
      }
    }
  }

  /** A straight line `width` pixels wide: discs stamped every half pixel along it. */
  drawLine(x0: number, y0: number, x1: number, y1: number, color: Rgb, width = 1): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
    const stamped = new Set<number>();
    const radius = Math.max(0, (width - 1) / 2);
    for (let step = 0; step <= steps; step++) {
      const x = x0 + ((x1 - x0) * step) / steps;
      const y = y0 + ((y1 - y0) * step) / steps;
      const key = Math.round(y) * this.width + Math.round(x);
      if (radius === 0) {
        if (!stamped.has(key)) this.blend(Math.round(x), Math.round(y), color);
        stamped.add(key);
      } else this.fillDisc(x, y, radius, color);
    }
  }

  /**
   * Draws text with the 5 x 7 bitmap font, `scale` device pixels per font pixel, with its
   * baseline (the glyph bottom) at `y`.
   */
  drawText(
    text: string,
    x: number,
    y: number,
    color: Rgb,
    scale = 1,
    anchor: 'start' | 'middle' | 'end' = 'start',
  ): void {
    const textWidth = (text.length * GLYPH_ADVANCE - 1) * scale;
    const left = Math.round(
      anchor === 'start' ? x : anchor === 'middle' ? x - textWidth / 2 : x - textWidth,
    );
    const top = Math.round(y) - GLYPH_HEIGHT * scale;
    [...text].forEach((character, index) => {
      glyphRows(character).forEach((row, rowIndex) => {
        row.forEach((on, columnIndex) => {
          if (!on) return;
          const pixelX = left + (index * GLYPH_ADVANCE + columnIndex) * scale;
          this.fillRectangle(pixelX, top + rowIndex * scale, scale, scale, color);
        });
      });
    });
  }

  /** The image as PNG bytes. */
  toPng(): Uint8Array {
    return encodePng(this.pixels, this.width, this.height);
  }
}
