import { defineConfig } from 'tsup';

export default defineConfig({
  // The gradient worker is its own file next to node.js (startGradientWorkers starts it by URL).
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    'gradient-worker': 'src/node/gradient-worker.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
