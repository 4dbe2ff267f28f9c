import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { CheckpointStore } from '../checkpoint-store.js';

/**
 * Writes `bytes` to `path` so that a crash never leaves a partial file there: a temporary file
 * beside it is written and flushed to disk, then renamed over `path` (atomic on POSIX), and the
 * folder is flushed so the rename survives a power loss. A failed write (full disk, read-only
 * folder) removes the temporary file, leaves `path` as it was and throws the system error.
 *
 * @example writeFileAtomically('run/summary.json', JSON.stringify(summary));
 */
export function writeFileAtomically(path: string, bytes: Uint8Array | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const file = openSync(temporary, 'w');
    try {
      const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      let written = 0;
      while (written < data.length)
        written += writeSync(file, data, written, data.length - written);
      fsyncSync(file);
    } finally {
      closeSync(file);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  try {
    const folder = openSync(dirname(path), 'r');
    fsyncSync(folder);
    closeSync(folder);
  } catch {
    // Some platforms cannot open or fsync a folder; the rename itself is still atomic.
  }
}

/**
 * A checkpoint store backed by one file, written atomically (`writeFileAtomically`).
 *
 * @example distiller.saveCheckpoint(checkpointFile('run/checkpoint.safetensors'));
 */
export function checkpointFile(path: string): CheckpointStore {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`checkpointFile: path must be a non-empty string, got ${String(path)}`);
  }
  return {
    name: path,
    write(bytes) {
      writeFileAtomically(path, bytes);
    },
    read() {
      try {
        return new Uint8Array(readFileSync(path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(
          `loadCheckpoint: ${path} is not a readable checkpoint (${(error as Error).message})`,
        );
      }
    },
  };
}
