import { defineConfig } from 'vitest/config';

/** One root config: every package, app and test suite with a vitest.config.ts is a project. */
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'tests/*/vitest.config.ts',
    ],
  },
});
