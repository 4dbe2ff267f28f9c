import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureLines, finishSmallRun, runBuiltCli } from '@fdistill/testing/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'fdistill-disk-faults-'));
// Readable by `nobody`, who runs the CLI in the permission test.
chmodSync(folder, 0o755);
const finished = join(folder, 'finished');
const mountPoint = join(folder, 'tmpfs');
mkdirSync(mountPoint);

/** Whether this process can mount a small tmpfs (root in a container that allows it), and why not. */
function mountProbe(): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
}
const cannotMount = mountProbe();
/** Whether the CLI can run as `nobody` (root with setpriv), and why not. */
const cannotSwitchUser = (() => {
  if (process.getuid?.() !== 0) return 'not root: cannot run the CLI as nobody';
  try {
    execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']);
    return undefined;
  } catch (error) {
    return `setpriv cannot switch to nobody (${(error as Error).message})`;
  }
})();

afterAll(() => {
  if (cannotMount === undefined) execFileSync('umount', [mountPoint]);
  rmSync(folder, { recursive: true, force: true });
});

beforeAll(() => finishSmallRun(folder, finished, 10), 120_000);

/** A resume to step 14 (checkpoints at 12 and 14) of the run folder `run`. */
const resume = (run: string, prefix?: string[]) =>
  runBuiltCli(['distill', '--resume', run, '--steps', '14', '--backend', 'cpu'], {
    ...(prefix ? { prefix } : {}),
  });

const temporaryFiles = (run: string) => readdirSync(run).filter((name) => name.endsWith('.tmp'));

describe(`a full disk${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, {
  timeout: 120_000,
}, () => {
  it.skipIf(cannotMount !== undefined)(
    'stops a checkpoint write on ENOSPC with one line, the previous checkpoint whole, and resumes once there is room',
    async () => {
      const run = join(mountPoint, 'full');
      cpSync(finished, run, { recursive: true });
      const checkpoint = join(run, 'checkpoint.safetensors');
      const previous = readFileSync(checkpoint);
      // Fill the tmpfs so that the metrics still fit but a second checkpoint does not.
      const { bavail, bsize } = statfsSync(mountPoint);
      const filler = join(mountPoint, 'filler');
      writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - previous.length / 2)));
      const full = await resume(run);
      expect(full.code).toBe(1);
      expect(failureLines(full.stderr)).toEqual([
        `fdistill: cannot write ${checkpoint} (ENOSPC: no space left on device)`,
      ]);
      expect(full.stderr).not.toMatch(/\n\s+at /);
      expect(readFileSync(checkpoint).equals(previous)).toBe(true);
      expect(temporaryFiles(run)).toEqual([]);
      // The run is not lost: with room again it resumes from the checkpoint left whole.
      rmSync(filler);
      const resumed = await resume(run);
      expect(resumed.code).toBe(0);
      expect(JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')).steps).toBe(14);
      rmSync(run, { recursive: true });
    },
  );

  it.skipIf(cannotMount !== undefined)(
    'stops on a read-only file system (EROFS) with one line naming the file, nothing changed',
    async () => {
      const run = join(mountPoint, 'read-only');
      cpSync(finished, run, { recursive: true });
      const before = readdirSync(run).map((name) => readFileSync(join(run, name)));
      execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
      try {
        const result = await resume(run);
        expect(result.code).toBe(1);
        const lines = failureLines(result.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(`^fdistill: cannot write ${run}/[a-z.]+ \\(EROFS: read-only file system\\)$`),
        );
        expect(readdirSync(run).map((name) => readFileSync(join(run, name)))).toEqual(before);
      } finally {
        execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
      }
    },
  );
});

describe(`a folder the user cannot write${cannotSwitchUser ? ` (skipped: ${cannotSwitchUser})` : ''}`, {
  timeout: 120_000,
}, () => {
  it.skipIf(cannotSwitchUser !== undefined)(
    'stops on EACCES with one line naming the file, nothing changed (run as nobody: root ignores permission bits)',
    async () => {
      const run = join(folder, 'not-writable');
      cpSync(finished, run, { recursive: true });
      chmodSync(run, 0o755);
      expect(statSync(run).uid).toBe(0);
      const before = readdirSync(run).map((name) => readFileSync(join(run, name)));
      const result = await resume(run, [
        'setpriv',
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
      ]);
      expect(result.code).toBe(1);
      const lines = failureLines(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^fdistill: cannot write ${run}/[a-z.]+ \\(EACCES: permission denied\\)$`),
      );
      expect(readdirSync(run).map((name) => readFileSync(join(run, name)))).toEqual(before);
      expect(existsSync(join(run, 'summary.json'))).toBe(true);
    },
  );
});
