import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNpz, encodeNpz, type NpyArray, type NpyArrayToWrite } from '@fdistill/eval';
import type { UNetDenoiser } from '@fdistill/score';
import { writeFileAtomically } from '@fdistill/trainer/node';

/**
 * The folder of fdistill's caches: `FDISTILL_CACHE_DIR`, else `$XDG_CACHE_HOME/fdistill`, else
 * `~/.cache/fdistill`.
 */
export function cacheFolder(): string {
  const configured = process.env.FDISTILL_CACHE_DIR;
  if (configured !== undefined && configured !== '') return configured;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'fdistill');
}

/**
 * The cache files shipped with the CLI beside its teacher (`teachers/fashion-mnist/cache`): the
 * shipped teacher's evaluation samples and sampler pairs, so a fresh install does not draw them.
 * Read only; their names carry the teacher's fingerprint like every cache file.
 */
export const SHIPPED_CACHE_FOLDER = fileURLToPath(
  new URL('../teachers/fashion-mnist/cache', import.meta.url),
);

/**
 * Where a cache file named `name` is read from: the shipped folder when it holds it, else
 * `cacheFolder()` (also where it is written when missing).
 */
export function cacheFilePath(name: string): string {
  const shipped = join(SHIPPED_CACHE_FOLDER, name);
  return existsSync(shipped) ? shipped : join(cacheFolder(), name);
}

/** SHA-256 of a teacher's config and every parameter's values: the same weights, the same key. */
export async function teacherFingerprint(teacher: UNetDenoiser): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(teacher.config));
  for (const [name, variable] of teacher.namedParameters()) {
    hash.update(name);
    const values = (await variable.data()) as Float32Array;
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

/**
 * The arrays of a cache file, or undefined when it is missing or does not decode (the caller
 * draws them again and overwrites it).
 *
 * @example const arrays = await readCacheFile(cacheFilePath('teacher-samples-ab12-n2000-seed5.npz'));
 */
export async function readCacheFile(path: string): Promise<Map<string, NpyArray> | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return await decodeNpz(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * Writes a cache file atomically as `.npz`, creating its folder.
 *
 * @example writeCacheFile(path, { labels: { data: Float64Array.of(0, 1), shape: [2], dtype: 'int64' } });
 */
export function writeCacheFile(path: string, arrays: Record<string, NpyArrayToWrite>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomically(path, encodeNpz(arrays));
}
