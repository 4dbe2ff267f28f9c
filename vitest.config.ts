import { defineConfig } from 'vitest/config';

/**
 * One root config: every package and test suite with a vitest.config.ts is a project. The demo's
 * browser test (apps/demo/vitest.browser.config.ts) runs as the turbo task `test:browser`.
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tests/*/vitest.config.ts'],
  },
});
