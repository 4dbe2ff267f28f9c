import { packageProject } from '../../vitest.shared.js';

// The end-to-end test runs the built CLI: its own turbo task (`test:e2e`, after the build).
export default packageProject('cli', {
  exclude: [
    'src/cli.test.ts',
    'src/bad-input.test.ts',
    'src/disk-faults.test.ts',
    'src/fault-campaign.test.ts',
    'src/webgpu-run.test.ts',
  ],
});
