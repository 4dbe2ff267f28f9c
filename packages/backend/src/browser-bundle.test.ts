import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packagesFolder = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles a package's main entry (sources) for browsers; fails on anything Node-only. */
async function bundleForBrowser(packageName: string): Promise<{ errors: string[]; bytes: number }> {
  try {
    const result = await build({
      entryPoints: [`${packagesFolder}${packageName}/src/index.ts`],
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
            builder.onResolve({ filter: /^@fdistill\/[a-z-]+$/ }, (args) => ({
              path: `${packagesFolder}${args.path.slice('@fdistill/'.length)}/src/index.ts`,
            }));
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
  // The library entries that load in a browser today; trainer (checkpoint files, IDX and PNG
  // folder sources) and eval (pngjs, atomic file writes) still import Node modules at load.
  for (const packageName of ['backend', 'divergence', 'score', 'discriminator']) {
    it(`@fdistill/${packageName}: esbuild bundles the main entry for platform 'browser'`, async () => {
      const { errors, bytes } = await bundleForBrowser(packageName);
      expect(errors).toEqual([]);
      expect(bytes).toBeGreaterThan(1000);
    }, 60_000);
  }

  it('fails on a Node import (the check can fail)', async () => {
    const { errors } = await bundleForBrowser('trainer');
    expect(errors.some((text) => /node:fs|"fs"/.test(text))).toBe(true);
  }, 60_000);
});
