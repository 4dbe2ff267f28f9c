import { parseColor, type Scene } from './plot-scene.js';
import { RasterImage } from './raster-image.js';

/**
 * Renders a scene to PNG bytes: shapes are drawn into a pixel buffer (no anti-aliasing; text in
 * a 5 x 7 bitmap font, scaled to the nearest whole multiple of the requested size).
 *
 * @example renderPng({ width: 10, height: 10, background: '#ffffff', shapes: [] }) // Uint8Array (PNG)
 */
export function renderPng(scene: Scene): Uint8Array {
  const image = new RasterImage(
    scene.width,
    scene.height,
    parseColor('background', scene.background),
  );
  for (const shape of scene.shapes) {
    switch (shape.kind) {
      case 'rectangle': {
        if (shape.fill)
          image.fillRectangle(
            shape.x,
            shape.y,
            shape.width,
            shape.height,
            parseColor('fill', shape.fill),
          );
        if (shape.stroke) {
          const color = parseColor('stroke', shape.stroke);
          const right = shape.x + shape.width;
          const bottom = shape.y + shape.height;
          image.drawLine(shape.x, shape.y, right, shape.y, color);
          image.drawLine(right, shape.y, right, bottom, color);
          image.drawLine(right, bottom, shape.x, bottom, color);
          image.drawLine(shape.x, bottom, shape.x, shape.y, color);
        }
        break;
      }
      case 'polyline': {
        const color = parseColor('color', shape.color);
        for (let index = 1; index < shape.points.length; index++) {
          const [x0, y0] = shape.points[index - 1] as readonly [number, number];
          const [x1, y1] = shape.points[index] as readonly [number, number];
          image.drawLine(x0, y0, x1, y1, color, shape.width);
        }
        break;
      }
      case 'circle':
        image.fillDisc(
          shape.x,
          shape.y,
          shape.radius,
          parseColor('fill', shape.fill),
          shape.opacity,
        );
        break;
      case 'text':
        image.drawText(
          shape.text,
          shape.x,
          shape.y,
          parseColor('color', shape.color),
          Math.max(1, Math.round(shape.size / 9)),
          shape.anchor,
        );
        break;
    }
  }
  return image.toPng();
}
