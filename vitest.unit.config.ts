import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:unit`: the packages' unit tiers only (offline, no build needed). `vitest.config.ts`
 * adds the integration and consumer tiers.
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
