import { defineProject } from 'vitest/config';

/**
 * The demo's browser test: it opens the built site (`vite build` runs first, as `turbo run build`
 * does in `pnpm test`) in Debian's chromium through playwright-core.
 */
export default defineProject({
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
