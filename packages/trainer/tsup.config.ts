import { defineConfig } from 'tsup';

export default defineConfig({
  // The workers are their own files next to node.js (the worker pool starts them by URL).
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    'gradient-worker': 'src/node/gradient-worker.ts',
    'distill-worker': 'src/node/distill-worker.ts',
    'sampler-worker': 'src/node/sampler-worker.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
