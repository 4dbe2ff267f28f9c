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
 * A system error (full disk, read-only or unwritable folder, I/O error) as one line naming the
 * file and the code, e.g. `cannot write run/checkpoint.safetensors (ENOSPC: no space left on
 * device)`; `code` and `path` stay on the error for callers that sort failures.
 */
function fileError(verb: string, path: string, error: unknown): Error {
  const cause = error as NodeJS.ErrnoException;
  const reason = (cause.message ?? String(error)).replace(/, \w+(?: '[^']*')?$/, '');
  const wrapped = new Error(`cannot ${verb} ${path} (${reason})`, { cause: error });
  return Object.assign(wrapped, { code: cause.code, path });
}

/**
 * Writes `bytes` to `path` so that a crash never leaves a partial file there: a temporary file
 * beside it is written and flushed to disk, then renamed over `path` (atomic on POSIX), and the
 * folder is flushed so the rename survives a power loss. A failed write (full disk, read-only
 * folder) removes the temporary file, leaves `path` as it was and throws an error naming `path`
 * and the system error's code (kept as `error.code`).
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
    try {
      rmSync(temporary, { force: true });
    } catch {
      // A read-only folder cannot hold the temporary file either: nothing to remove.
    }
    throw fileError('write', path, error);
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
 * @example await distiller.saveCheckpoint(checkpointFile('run/checkpoint.safetensors'));
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
        throw fileError('read checkpoint', path, error);
      }
    },
  };
}
