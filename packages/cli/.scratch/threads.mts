import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';

tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
wasm.setThreadsCount(2);
console.log(await tf.setBackend('wasm'));
await tf.ready();
console.log(wasm.getThreadsCount?.());
const a = tf.randomNormal([512, 512]),
  b = tf.randomNormal([512, 512]);
for (let i = 0; i < 5; i++) {
  const s = performance.now();
  tf.matMul(a, b).dispose();
  console.log(performance.now() - s);
}
