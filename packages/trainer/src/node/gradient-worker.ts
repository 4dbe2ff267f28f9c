/**
 * A gradient worker (`startGradientWorkers`): selects its tfjs backend, rebuilds the network,
 * says 'ready', then for each job copies the shared parameters into its network, computes the
 * denoising score-matching loss and gradient of its slice, writes them to shared memory and
 * signals the job done. Runs until told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  CONTROL,
  type GradientWorkerData,
  type ShardBuffers,
  STOP,
  sampleShapeOf,
  writeErrorMessage,
} from './gradient-worker-protocol.js';

const data = workerData as GradientWorkerData;
const slot = (name: (typeof CONTROL)[number]) => CONTROL.indexOf(name);

/** The network and the job loop; the imports wait for the backend the parent chose. */
async function main(): Promise<void> {
  for (const specifier of data.imports) await import(specifier);
  if (data.productionMode) (await import('@tensorflow/tfjs-core')).enableProdMode();
  const { selectBackend } = (await import(data.backendModule)) as {
    selectBackend: (name: string) => Promise<unknown>;
  };
  await selectBackend(data.backendName);
  const tf = await import('@tensorflow/tfjs-core');
  const score = await import('@fdistill/score');
  const bytes = new Uint8Array(data.networkBytes);
  const network =
    data.architecture === 'UNetDenoiser'
      ? score.UNetDenoiser.fromSafetensors(bytes)
      : data.architecture === 'MlpDenoiser'
        ? score.MlpDenoiser.fromSafetensors(bytes)
        : undefined;
  if (network === undefined) throw new Error(`cannot rebuild a ${data.architecture}`);
  const parameters = network.parameters();
  const sampleShape = sampleShapeOf(network.config);
  parentPort?.postMessage('ready');

  const buffers: ShardBuffers = data.buffers;
  let seen = 0;
  for (;;) {
    Atomics.wait(buffers.control, slot('job'), seen);
    const job = Atomics.load(buffers.control, slot('job'));
    if (job === STOP) return;
    try {
      let offset = 0;
      for (const parameter of parameters) {
        const values = buffers.parameters.slice(offset, offset + parameter.size);
        tf.tidy(() => parameter.assign(tf.tensor(values, parameter.shape)));
        offset += parameter.size;
      }
      const size = Atomics.load(buffers.control, slot('size'));
      const elements = size * sampleShape.reduce((total, length) => total * length, 1);
      const { loss, gradients } = tf.tidy(() => {
        const shape = [size, ...sampleShape];
        const x = tf.tensor(buffers.x.slice(0, elements), shape);
        const noise = tf.tensor(buffers.noise.slice(0, elements), shape);
        const sigma = tf.tensor1d(buffers.sigma.slice(0, size));
        const labels =
          Atomics.load(buffers.control, slot('hasLabels')) === 1
            ? tf.tensor1d(buffers.labels.slice(0, size), 'int32')
            : undefined;
        const { value, grads } = tf.variableGrads(
          () =>
            score.denoisingScoreMatchingLoss(network, x, {
              sigma,
              noise,
              ...(labels === undefined ? {} : { labels }),
            }) as import('@tensorflow/tfjs-core').Scalar,
          parameters,
        );
        return {
          loss: value.dataSync()[0] as number,
          gradients: parameters.map((p) => (grads[p.name] as typeof p).dataSync() as Float32Array),
        };
      });
      let at = 0;
      for (const gradient of gradients) {
        buffers.gradients.set(gradient, at);
        at += gradient.length;
      }
      buffers.loss[0] = loss;
    } catch (error) {
      writeErrorMessage(buffers.error, (error as Error).message ?? String(error));
      Atomics.store(buffers.control, slot('failed'), 1);
    }
    seen = job;
    Atomics.store(buffers.control, slot('done'), job);
    Atomics.notify(buffers.control, slot('done'));
  }
}

main().catch((error: Error) => {
  parentPort?.postMessage({ error: error.message ?? String(error) });
});
