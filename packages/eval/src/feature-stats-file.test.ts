import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import reference from '../fixtures/frechet-distance.json' with { type: 'json' };
import { crc32 } from './crc32.js';
import { featureStats } from './feature-stats.js';
import { featureStatsFromNpz, featureStatsToNpz } from './feature-stats-file.js';
import { frechetDistanceFromStats } from './frechet-distance.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const folder = await mkdtemp(join(tmpdir(), 'fdistill-eval-stats-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('feature statistics files (.npz)', () => {
  it("reads numpy's np.savez (stored, zip64 local headers) and np.savez_compressed files", async () => {
    for (const [file, count] of [
      ['feature-stats.npz', 0],
      ['feature-stats-compressed.npz', 20],
    ] as const) {
      const stats = await featureStatsFromNpz(await readFile(new URL(file, fixtures)));
      expect(stats.count).toBe(count);
      expect(stats.mu.length).toBe(5);
      if (count === 0) expect(Array.from(stats.mu)).toEqual(reference.npz.mu);
      // The compressed file stores mu as float32.
      else expect(Array.from(stats.mu)).toEqual(reference.npz.mu.map(Math.fround));
      expect(Array.from(stats.sigma)).toEqual(reference.npz.sigma);
    }
  });

  it('round-trips through a file exactly', async () => {
    const stats = featureStats(reference.cases['full-rank'].a);
    const path = join(folder, 'reference.npz');
    await writeFile(path, featureStatsToNpz(stats));
    const loaded = await featureStatsFromNpz(await readFile(path));
    expect(loaded.count).toBe(stats.count);
    expect(loaded.mu).toEqual(stats.mu);
    expect(loaded.sigma).toEqual(stats.sigma);
    expect(frechetDistanceFromStats(loaded, stats)).toBeLessThan(1e-8);
    // Same bytes every time (no timestamps in the zip).
    expect(new Uint8Array(await readFile(path))).toEqual(featureStatsToNpz(stats));
  });

  it('rejects files without mu and sigma, and corrupt files', async () => {
    const bytes = featureStatsToNpz({
      mu: Float64Array.of(1),
      sigma: Float64Array.of(2),
      count: 3,
    });
    const corrupt = bytes.slice();
    corrupt[166] = (corrupt[166] as number) ^ 0xff; // a byte of mu's value
    await expect(featureStatsFromNpz(corrupt)).rejects.toThrow('is corrupt');
    await expect(featureStatsFromNpz(new Uint8Array(10))).rejects.toThrow('not a zip file');
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
