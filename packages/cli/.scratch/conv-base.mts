import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const backendName = process.argv[2] ?? 'wasm';
await tf.setBackend(backendName);
await tf.ready();
function time(label: string, f: () => tf.Tensor, n = 5) {
  for (let i = 0; i < 2; i++) {
    const t = f();
    t.dispose();
  }
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const t = f();
    t.dispose();
    ts.push(performance.now() - s);
  }
  ts.sort((a, b) => a - b);
  console.log(label, ts[Math.floor(n / 2)]!.toFixed(1), 'ms');
}
const x = tf.randomNormal([32, 28, 28, 32]) as tf.Tensor4D;
const w = tf.randomNormal([3, 3, 32, 32]) as tf.Tensor4D;
time('conv fwd', () => tf.conv2d(x, w, 1, 'same'));
const dy = tf.randomNormal([32, 28, 28, 32]) as tf.Tensor4D;
time('conv dx', () => tf.conv2dTranspose(dy, w, [32, 28, 28, 32], 1, 'same'));
const a = tf.randomNormal([512, 512]),
  b = tf.randomNormal([512, 512]);
time('mm 512', () => tf.matMul(a, b));
const a2 = tf.randomNormal([25088, 288]),
  b2 = tf.randomNormal([288, 32]);
time('mm im2col 25088x288x32', () => tf.matMul(a2, b2));
const a3 = tf.randomNormal([32, 25088]),
  b3 = tf.randomNormal([25088, 288]);
time('mm dW^T 32x25088x288', () => tf.matMul(a3, b3));
const a4 = tf.randomNormal([25088, 32]),
  b4 = tf.randomNormal([32, 32]);
time('mm 1x1 25088x32x32', () => tf.matMul(a4, b4));
time('add', () => tf.add(a2, a2));
time('transpose 25088x288', () => tf.transpose(a2));
