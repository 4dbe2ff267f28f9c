import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packagesFolder = fileURLToPath(new URL('../../packages/', import.meta.url));

/** Bundles a package entry (sources; default the main one) for browsers; fails on anything Node-only. */
async function bundleForBrowser(
  packageName: string,
  entry = 'index',
): Promise<{ errors: string[]; bytes: number }> {
  try {
    const result = await build({
      entryPoints: [`${packagesFolder}${packageName}/src/${entry}.ts`],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      // Workspace packages from their sources, as a bundler of the published dist would see them.
      plugins: [
        {
          name: 'workspace-sources',
          setup(builder) {
            builder.onResolve({ filter: /^@fdistill\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
              const [name, subpath = 'index'] = args.path.slice('@fdistill/'.length).split('/');
              return { path: `${packagesFolder}${name}/src/${subpath}.ts` };
            });
          },
        },
      ],
    });
    return { errors: [], bytes: result.outputFiles[0]?.contents.length ?? 0 };
  } catch (error) {
    const failures = (error as { errors?: { text: string }[] }).errors ?? [];
    return { errors: failures.map((failure) => failure.text), bytes: 0 };
  }
}

describe('browser bundles', () => {
  // Every library's main entry; Node I/O lives behind the `./node` subpaths.
  for (const packageName of [
    'utils',
    'backend',
    'divergence',
    'score',
    'discriminator',
    'trainer',
    'eval',
  ]) {
    it(`@fdistill/${packageName}: esbuild bundles the main entry for platform 'browser'`, async () => {
      const { errors, bytes } = await bundleForBrowser(packageName);
      expect(errors).toEqual([]);
      expect(bytes).toBeGreaterThan(1000);
    }, 60_000);
  }

  it('@fdistill/utils: bundles without tfjs', async () => {
    const { errors, bytes } = await bundleForBrowser('utils');
    expect(errors).toEqual([]);
    expect(bytes).toBeGreaterThan(100);
    expect(bytes).toBeLessThan(5000);
  }, 60_000);

  it('fails on a Node import (the check can fail: trainer/node reads files)', async () => {
    const { errors } = await bundleForBrowser('trainer', 'node');
    expect(errors.some((text) => /node:fs|"fs"/.test(text))).toBe(true);
  }, 60_000);
});
