import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_TEACHER_DEFAULTS } from './image-teacher-config.js';
import { PRESETS } from './presets.js';
import { RunFolder } from './run-folder.js';

const root = mkdtempSync(join(tmpdir(), 'fdistill-run-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const shipped = (path: string) => new URL(`../${path}`, import.meta.url);

describe('RunFolder', () => {
  it('opens an image run folder written before the configs had one type per kind', () => {
    // The recorded fashion-mnist result's config.json still carries ring8's MLP fields.
    const path = join(root, 'old-image-run');
    const folder = RunFolder.create(path);
    copyFileSync(shipped('results/fashion-mnist-js-seed0/config.json'), folder.file('config'));
    const { config } = RunFolder.open(path);
    expect(config.preset).toBe('fashion-mnist');
    expect(config).not.toHaveProperty('networkWidth');
    expect(config).toMatchObject({ divergence: 'js', steps: 1100, batchSize: 16, r1Gamma: 1 });
  });

  it('writes and reads back a run config, and refuses a used folder', () => {
    const path = join(root, 'ring8');
    RunFolder.create(path, PRESETS.ring8);
    expect(RunFolder.open(path).config).toEqual(PRESETS.ring8);
    expect(() => RunFolder.create(path, PRESETS.ring8)).toThrow(
      `--out ${path} already holds files; continue that run with --resume ${path}`,
    );
    expect(() => RunFolder.create(path, undefined, { resumable: false })).toThrow(
      `--out ${path} already holds files; choose another --out`,
    );
  });

  it('opens an image teacher run for --resume once it has a checkpoint, with new steps', () => {
    const path = join(root, 'teacher');
    const folder = RunFolder.create(path, FASHION_MNIST_TEACHER_DEFAULTS);
    expect(() => RunFolder.openTeacher(path, undefined)).toThrow(
      `--resume ${path}: the run has no checkpoint yet`,
    );
    writeFileSync(folder.file('checkpoint'), '');
    expect(RunFolder.openTeacher(path, 4000).config).toEqual({
      ...FASHION_MNIST_TEACHER_DEFAULTS,
      steps: 4000,
    });
    // The shipped teacher's own config.json is a valid image teacher config.
    const shippedConfig = JSON.parse(
      readFileSync(shipped('teachers/fashion-mnist/config.json'), 'utf8'),
    );
    writeFileSync(folder.file('config'), JSON.stringify(shippedConfig));
    expect(RunFolder.openTeacher(path, undefined).config).toEqual(shippedConfig);
    expect(() => RunFolder.open(join(root, 'nothing-here'))).toThrow(
      `${join(root, 'nothing-here')} is not a run folder (no config.json)`,
    );
  });

  it('keeps the metrics of the steps a checkpoint holds and reads them back', () => {
    const folder = RunFolder.create(join(root, 'metrics'), PRESETS.ring8);
    for (const step of [0, 1, 2, 3]) folder.appendMetrics({ step, loss: step / 2 });
    folder.keepMetricsOfFirstSteps(2);
    expect(folder.readMetrics()).toEqual([
      { step: 0, loss: 0 },
      { step: 1, loss: 0.5 },
    ]);
  });
});
