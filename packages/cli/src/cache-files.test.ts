import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheFilePath, SHIPPED_CACHE_FOLDER } from './cache-files.js';

describe('cacheFilePath', () => {
  const saved = process.env.FDISTILL_CACHE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.FDISTILL_CACHE_DIR;
    else process.env.FDISTILL_CACHE_DIR = saved;
  });

  it('reads a file the CLI ships beside its teacher from there, any other from the user cache', () => {
    process.env.FDISTILL_CACHE_DIR = '/tmp/fdistill-cache-test';
    const shipped = readdirSync(SHIPPED_CACHE_FOLDER).filter((name) => name.endsWith('.npz'));
    // The shipped teacher's evaluation samples and its sampler pairs.
    expect(shipped.some((name) => name.startsWith('teacher-samples-'))).toBe(true);
    expect(shipped.some((name) => name.startsWith('sampler-pairs-'))).toBe(true);
    for (const name of shipped) expect(cacheFilePath(name)).toBe(join(SHIPPED_CACHE_FOLDER, name));
    expect(cacheFilePath('teacher-samples-0000-n7-seed5.npz')).toBe(
      join('/tmp/fdistill-cache-test', 'teacher-samples-0000-n7-seed5.npz'),
    );
  });
});
