import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'score',
    include: ['src/**/*.test.ts'],
  },
});
