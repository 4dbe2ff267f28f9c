import { defineProject } from 'vitest/config';
import { workspaceSources } from '../../vitest.shared.js';

/** The CLI end to end: `src/cli.test.ts`, the shortened fault campaign and the webgpu run use `dist/main.js` (turbo's `test:e2e` builds it first). */
export default defineProject({
  resolve: workspaceSources,
  test: {
    name: 'cli-e2e',
    include: [
      'src/cli.test.ts',
      'src/bad-input.test.ts',
      'src/disk-faults.test.ts',
      'src/fault-campaign.test.ts',
      'src/webgpu-run.test.ts',
    ],
    testTimeout: 300_000,
  },
});
