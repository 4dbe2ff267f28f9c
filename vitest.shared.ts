import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const packagesFolder = fileURLToPath(new URL('./packages/', import.meta.url));

/**
 * The vitest project of one package: its colocated `*.test.ts` files (less `exclude`), with every
 * `@fdistill/<name>` (and `@fdistill/<name>/<subpath>`) import resolved to that package's sources, so tests never need a build.
 */
export function packageProject(name: string, { exclude = [] as string[] } = {}) {
  return defineProject({
    resolve: {
      alias: [
        { find: /^@fdistill\/([a-z-]+)$/, replacement: `${packagesFolder}$1/src/index.ts` },
        // Subpath exports (`@fdistill/trainer/node`) are `src/<subpath>.ts`.
        { find: /^@fdistill\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packagesFolder}$1/src/$2.ts` },
      ],
    },
    test: { name, include: ['src/**/*.test.ts'], exclude },
  });
}
