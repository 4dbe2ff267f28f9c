import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

await tf.setBackend('wasm');
await tf.ready();
function time(label: string, f: () => tf.Tensor, n = 7) {
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
const N = 32,
  H = 28,
  C = 32,
  CO = 32;
const x = tf.randomNormal([N, H, H, C]) as tf.Tensor4D;
const w = tf.randomNormal([3, 3, C, CO]) as tf.Tensor4D;
const dy = tf.randomNormal([N, H, H, CO]) as tf.Tensor4D;
time('fwd xnn', () => tf.conv2d(x, w, 1, 'same'));
// filter grad via conv: xT [C, H, W, N], dyT [OH, OW, N, CO]
const dwConv = () =>
  tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const r = tf.conv2d(xT, dyT, 1, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]); // [C, 3, 3, CO]
    return tf.transpose(r, [1, 2, 0, 3]);
  });
time('dW via xnn conv', dwConv);
time('  transpose x', () => tf.transpose(x, [3, 1, 2, 0]));
const ref = tf.tidy(() => {
  tf.setBackend;
  return tf.conv2d(x, w, 1, 'same');
});
// dx via conv with flipped filter
const dxConv = () =>
  tf.tidy(() => {
    const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dy, wf, 1, 'same');
  });
time('dx via xnn conv', dxConv);
// correctness vs cpu
const dwA = await dwConv().array();
const dxA = await dxConv().array();
await tf.setBackend('cpu');
const x2 = tf.tensor(await x.array()) as tf.Tensor4D,
  dy2 = tf.tensor(await dy.array()) as tf.Tensor4D,
  w2 = tf.tensor(await w.array()) as tf.Tensor4D;
const dwRef = tf.conv2dBackpropFilter ? null : null;
const gw = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
  tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), dy2)),
)([x2, w2]);
console.log(
  'dW maxdiff',
  tf.max(tf.abs(tf.sub(gw[1]!, tf.tensor(dwA)))).dataSync()[0],
  'scale',
  tf.max(tf.abs(gw[1]!)).dataSync()[0],
);
console.log('dx maxdiff', tf.max(tf.abs(tf.sub(gw[0]!, tf.tensor(dxA)))).dataSync()[0]);
