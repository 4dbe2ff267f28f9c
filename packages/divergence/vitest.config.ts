import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'divergence',
    include: ['src/**/*.test.ts'],
  },
});
