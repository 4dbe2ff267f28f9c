import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const packagesFolder = fileURLToPath(new URL('./packages/', import.meta.url));

/**
 * Every `@fdistill/<name>` (and `@fdistill/<name>/<subpath>`) import resolved to that package's
 * sources, so tests never need a build.
 */
export const workspaceSources = {
  alias: [
    { find: /^@fdistill\/([a-z-]+)$/, replacement: `${packagesFolder}$1/src/index.ts` },
    // Subpath exports (`@fdistill/trainer/node`) are `src/<subpath>.ts`.
    { find: /^@fdistill\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packagesFolder}$1/src/$2.ts` },
  ],
};

/** Files of the integration tier: long training runs, kept out of `pnpm test:unit`. */
export const INTEGRATION_TESTS = '**/*.integration.test.ts';

/**
 * The unit-tier vitest project of one package: its colocated `*.test.ts` files, less the
 * integration tier and `exclude`.
 */
export function packageProject(name: string, { exclude = [] as string[] } = {}) {
  return defineProject({
    resolve: workspaceSources,
    test: { name, include: ['src/**/*.test.ts'], exclude: [INTEGRATION_TESTS, ...exclude] },
  });
}
