import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openComparedRun } from './comparison-folders.js';
import { PRESETS } from './presets.js';

const parent = mkdtempSync(join(tmpdir(), 'fdistill-compare-folders-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('openComparedRun', () => {
  const config = { ...PRESETS.ring8, divergence: 'js', seed: 1 };

  it('creates new runs, keeps finished ones, resumes checkpointed ones and restarts the rest', () => {
    const path = join(parent, 'js-seed1');
    expect(openComparedRun(path, config, false).state).toBe('new');
    // Stopped before its first checkpoint: only config and a line of metrics.
    writeFileSync(join(path, 'metrics.jsonl'), '{"step":0}\n');
    const restarted = openComparedRun(path, config, true);
    expect(restarted.state).toBe('new');
    expect(readdirSync(path)).toEqual(['config.json']);
    writeFileSync(join(path, 'checkpoint.safetensors'), 'bytes');
    expect(openComparedRun(path, config, true).state).toBe('resume');
    writeFileSync(join(path, 'summary.json'), '{"recall": 0.8}');
    const finished = openComparedRun(path, config, true);
    expect(finished.state).toBe('finished');
    expect(finished.state === 'finished' && finished.summary.recall).toBe(0.8);
    expect(existsSync(join(path, 'checkpoint.safetensors'))).toBe(true);
  });

  it('refuses a folder of another config, and an existing folder without --resume', () => {
    const path = join(parent, 'js-seed2');
    openComparedRun(path, { ...config, seed: 2 }, false);
    expect(() => openComparedRun(path, { ...config, seed: 2, steps: 10 }, true)).toThrow(
      `--resume: ${path} holds a run of another config than this comparison's`,
    );
    expect(() => openComparedRun(path, { ...config, seed: 2 }, false)).toThrow(
      'already holds files',
    );
  });
});
