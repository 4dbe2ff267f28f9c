import { defineConfig } from 'vitest/config';

/**
 * One root config, every tier: each package's unit project, `integration` (long training runs,
 * `*.integration.test.ts`, and tests/integration) and `consumer` (pack, install, release; needs
 * the npm registry and a build). `pnpm test:unit` runs the first only (vitest.unit.config.ts). The
 * demo's browser test (apps/demo/vitest.browser.config.ts) runs as the turbo task `test:browser`.
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tests/*/vitest.config.ts'],
  },
});
