import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from './load-config.js';
import { PRESETS } from './presets.js';

const cliFolder = new URL('../', import.meta.url);
const shipped = (path: string) => new URL(path, cliFolder).pathname;

describe('the shipped configs', () => {
  it('fashion-mnist-long.yaml is the preset with a longer f-distill phase, and made the shipped long result', () => {
    const config = resolveRunConfig({ configPath: shipped('configs/fashion-mnist-long.yaml') });
    const { steps, ...rest } = config;
    const { steps: presetSteps, ...preset } = PRESETS['fashion-mnist'];
    expect(rest).toEqual(preset);
    expect(steps).toBeGreaterThan(presetSteps);
    const result = JSON.parse(
      readFileSync(shipped('results/fashion-mnist-long-js-seed0/config.json'), 'utf8'),
    );
    expect(result).toEqual(config);
  });
});
