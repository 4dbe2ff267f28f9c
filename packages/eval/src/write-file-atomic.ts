/**
 * Writes a file so that readers never see it half-written: the bytes go to a temporary file in
 * the same folder, which is then renamed over `path` (atomic on POSIX file systems). Node only
 * (`node:fs` is loaded when called); the folder must exist.
 *
 * @example await writeFileAtomic('runs/samples.png', sampleGridPng(images));
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError('writeFileAtomic(path, data): path must be a non-empty string');
  }
  const { rename, rm, writeFile } = await import('node:fs/promises');
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
