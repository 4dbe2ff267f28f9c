import { defineProject } from 'vitest/config';

/**
 * The demo's browser test (`pnpm --filter @fdistill/demo test:browser`, the turbo task
 * `test:browser` after `build`): it opens the built site in Debian's chromium through
 * playwright-core. Not a project of the root vitest config, so `vitest run` does not run it twice.
 */
export default defineProject({
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
