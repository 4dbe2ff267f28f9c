import * as tf from '@tensorflow/tfjs';
import { IMAGE_WORKLOAD, imageWorkload, mixtureWorkload } from './workloads.js';
const wasm = await import('../packages/cli/node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js');
await tf.setBackend('cpu');
const names = new Set<string>();
const w = imageWorkload({ ...IMAGE_WORKLOAD, batchSize: 2 });
for (let i = 0; i < 2; i++) { const p = await tf.profile(() => { w.step(); }); p.kernelNames.forEach((n) => names.add(n)); }
const m = mixtureWorkload();
for (let i = 0; i < 2; i++) { const p = await tf.profile(() => { m.step(); }); p.kernelNames.forEach((n) => names.add(n)); }
await tf.setBackend('wasm');
console.log([...names].sort().join(' '));
console.log('missing on wasm:', [...names].filter((n) => tf.getKernel(n, 'wasm') === undefined));
