import type { Scene, Shape } from './plot-scene.js';

/**
 * Renders a scene as a standalone SVG document.
 *
 * @example renderSvg({ width: 10, height: 10, background: '#ffffff', shapes: [] }) // '<svg ...'
 */
export function renderSvg(scene: Scene): string {
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="sans-serif">`,
    `<rect width="${scene.width}" height="${scene.height}" fill="${scene.background}"/>`,
    ...scene.shapes.map(shapeToSvg),
    '</svg>',
  ];
  return `${lines.join('\n')}\n`;
}

function shapeToSvg(shape: Shape): string {
  switch (shape.kind) {
    case 'rectangle':
      return `<rect x="${format(shape.x)}" y="${format(shape.y)}" width="${format(shape.width)}" height="${format(shape.height)}" fill="${shape.fill ?? 'none'}"${shape.stroke ? ` stroke="${shape.stroke}"` : ''}/>`;
    case 'polyline':
      return `<polyline points="${shape.points.map(([x, y]) => `${format(x)},${format(y)}`).join(' ')}" fill="none" stroke="${shape.color}" stroke-width="${format(shape.width)}" stroke-linejoin="round"/>`;
    case 'circle':
      return `<circle cx="${format(shape.x)}" cy="${format(shape.y)}" r="${format(shape.radius)}" fill="${shape.fill}"${shape.opacity < 1 ? ` fill-opacity="${format(shape.opacity)}"` : ''}/>`;
    case 'text':
      return `<text x="${format(shape.x)}" y="${format(shape.y)}" font-size="${format(shape.size)}" fill="${shape.color}" text-anchor="${shape.anchor}">${escapeXml(shape.text)}</text>`;
  }
}

/**
 * Escapes text for XML content and attributes.
 *
 * @example escapeXml('a < b') // 'a &#60; b'
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function format(value: number): string {
  return String(Math.round(value * 100) / 100);
}
