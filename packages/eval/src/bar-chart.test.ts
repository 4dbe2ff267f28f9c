import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { barChartPng, barChartScene, barChartSvg } from './bar-chart.js';

describe('bar charts', () => {
  const categories = ['reverse-kl', 'js', 'forward-kl'];
  const recall = { name: 'recall', values: [0.6, 0.8, Number.NaN], errors: [0.1, 0.05, 0] };
  const share = { name: 'high-quality', values: [0.9, 0.85, 0.7] };

  it('draws one bar per finite value, heights proportional to the value, with error bars', () => {
    const scene = barChartScene('test', categories, [recall, share], { yRange: [0, 1] });
    const bars = scene.shapes.filter((shape) => shape.kind === 'rectangle' && shape.fill);
    expect(bars).toHaveLength(5);
    const heights = bars.map((shape) => (shape.kind === 'rectangle' ? shape.height : 0));
    // recall 0.6 and 0.8, then high-quality 0.9, 0.85, 0.7: heights in the same ratios.
    expect((heights[1] as number) / (heights[0] as number)).toBeCloseTo(0.8 / 0.6, 1);
    expect((heights[4] as number) / (heights[2] as number)).toBeCloseTo(0.7 / 0.9, 1);
    // Bars of one category sit side by side; categories left to right.
    const lefts = bars.map((shape) => (shape.kind === 'rectangle' ? shape.x : 0));
    expect(lefts[0] as number).toBeLessThan(lefts[2] as number);
    expect(lefts[2] as number).toBeLessThan(lefts[1] as number);
    // Two error bars of three strokes each (the third recall error is 0, high-quality has none).
    const strokes = scene.shapes.filter(
      (shape) => shape.kind === 'polyline' && shape.width === 1 && shape.color === '#222222',
    );
    expect(strokes).toHaveLength(6);
    const labels = scene.shapes
      .filter((shape) => shape.kind === 'text')
      .map((shape) => shape.kind === 'text' && shape.text);
    for (const name of categories) expect(labels).toContain(name);
  });

  it('renders SVG and PNG', () => {
    expect(barChartSvg(categories, [recall], { title: 'compare' })).toContain('>compare</text>');
    const png = PNG.sync.read(
      Buffer.from(barChartPng(categories, [recall], { width: 320, height: 200 })),
    );
    expect([png.width, png.height]).toEqual([320, 200]);
  });

  it('validates its input', () => {
    expect(() => barChartSvg([], [recall])).toThrow(
      'categories must be a non-empty array of strings',
    );
    expect(() => barChartSvg(categories, [{ name: 'x', values: [1] }])).toThrow(
      'series[0].values must hold 3 numbers (one per category)',
    );
    expect(() => barChartSvg(categories, [])).toThrow('series must be a non-empty array');
    expect(() => barChartSvg(categories, [recall], { yRange: [1, 0] })).toThrow(
      'barChartSvg: options.yRange must be [low, high] with high > low, got [1, 0]',
    );
  });
});
