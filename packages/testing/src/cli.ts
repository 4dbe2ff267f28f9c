import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { newRunArguments, smallRing8Config } from './fault-campaign.js';

/** The built `fdistill` binary (`pnpm build` writes it). */
export const BUILT_CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

/**
 * Points the CLI's cache (`FDISTILL_CACHE_DIR`) at a fresh temporary folder for the calling test
 * file, and restores the variable and removes the folder after its tests. Returns the folder.
 *
 * @example const folder = useTemporaryCacheFolder('fdistill-sampler-pairs-');
 */
export function useTemporaryCacheFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  const previous = process.env.FDISTILL_CACHE_DIR;
  process.env.FDISTILL_CACHE_DIR = folder;
  afterAll(() => {
    if (previous === undefined) delete process.env.FDISTILL_CACHE_DIR;
    else process.env.FDISTILL_CACHE_DIR = previous;
    rmSync(folder, { recursive: true, force: true });
  });
  return folder;
}

/** What one run of the built CLI printed and returned. */
export interface BuiltCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `fdistill` binary; `prefix` runs it under another
 * command, e.g. `['setpriv', '--reuid=nobody', ...]` to run it as another user; `onStderr` sees
 * the stderr so far after each chunk, with a function that sends the run a Ctrl-C (SIGINT).
 *
 * @example const { code, stderr } = await runBuiltCli(['distill', '--resume', folder]);
 */
export function runBuiltCli(
  args: string[],
  options: {
    cwd?: string;
    prefix?: string[];
    onStderr?: (stderr: string, interrupt: () => void) => void;
  } = {},
): Promise<BuiltCliResult> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run pnpm build first`);
  const [command, ...prefixArgs] = [...(options.prefix ?? []), process.execPath];
  return new Promise((resolve) => {
    const child = spawn(command as string, [...prefixArgs, BUILT_CLI, ...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      options.onStderr?.(stderr, () => child.kill('SIGINT'));
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines of stderr that report a failure (`fdistill: ...`), less backend and progress lines. */
export function failureLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('fdistill:'));
}

/**
 * Writes the small ring8 config (`steps` steps) into `folder` and runs it to the
 * end on the cpu backend into `out`: a finished run folder for tests to copy and break.
 *
 * @example await finishSmallRun(folder, join(folder, 'finished'), 10);
 */
export async function finishSmallRun(folder: string, out: string, steps: number): Promise<void> {
  const config = join(folder, 'small.yaml');
  writeFileSync(config, smallRing8Config(steps));
  const result = await runBuiltCli(newRunArguments(config, out, 'cpu'));
  if (result.code !== 0) throw new Error(`the small run into ${out} failed: ${result.stderr}`);
}
