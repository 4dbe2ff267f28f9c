import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repository = fileURLToPath(new URL('../../', import.meta.url));
/** The packages a release publishes: every one under packages/ but the private ones. */
const PUBLISHED = readdirSync(join(repository, 'packages')).filter(
  (name) =>
    !(
      JSON.parse(readFileSync(join(repository, 'packages', name, 'package.json'), 'utf8')) as {
        private?: boolean;
      }
    ).private,
);
const folder = mkdtempSync(join(tmpdir(), 'fdistill-release-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const version = (root: string, name: string) =>
  (
    JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

describe('a release', () => {
  it('changeset version (on a copy of the manifests) consumes every changeset and bumps what changed', () => {
    for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset']) {
      cpSync(join(repository, file), join(folder, file), { recursive: true });
    }
    for (const parent of ['packages', 'apps']) {
      for (const name of readdirSync(join(repository, parent))) {
        mkdirSync(join(folder, parent, name), { recursive: true });
        cpSync(
          join(repository, parent, name, 'package.json'),
          join(folder, parent, name, 'package.json'),
        );
      }
    }
    const pending = readdirSync(join(folder, '.changeset')).filter((file) => file.endsWith('.md'));
    execFileSync(join(repository, 'node_modules', '.bin', 'changeset'), ['version'], {
      cwd: folder,
      stdio: 'pipe',
    });
    expect(readdirSync(join(folder, '.changeset')).filter((file) => file.endsWith('.md'))).toEqual(
      [],
    );
    if (pending.length > 0) {
      const bumped = PUBLISHED.filter(
        (name) => version(folder, name) !== version(repository, name),
      );
      expect(bumped.length).toBeGreaterThan(0);
    }
  });

  it('pnpm publish -r --dry-run packs every published package', () => {
    const output = execFileSync('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks'], {
      cwd: repository,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    for (const name of PUBLISHED) {
      expect(output).toContain(`+ @fdistill/${name}@${version(repository, name)}`);
    }
  });
});
