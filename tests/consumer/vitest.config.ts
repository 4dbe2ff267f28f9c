import { defineProject } from 'vitest/config';

/** The consumer test: the packed packages installed by npm into a project outside the workspace. */
export default defineProject({
  test: {
    name: 'consumer',
    include: ['*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
