import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { INTEGRATION_TESTS, workspaceSources } from '../../vitest.shared.js';

/**
 * The integration tier: the packages' long training tests (`*.integration.test.ts` beside their
 * sources) and the tests here that exercise several packages together.
 */
export default defineProject({
  resolve: workspaceSources,
  test: {
    name: 'integration',
    root: fileURLToPath(new URL('../../', import.meta.url)),
    include: [`packages/*/src/${INTEGRATION_TESTS}`, 'tests/integration/*.test.ts'],
    testTimeout: 120_000,
  },
});
