/**
 * A gradient worker (`startGradientWorkers`): selects its tfjs backend, rebuilds the network,
 * says 'ready', then answers each job (a slice of a batch, `TeacherShard`) with the slice's
 * denoising score-matching loss and gradient at the shared parameters, or with its error.
 */
import { workerData } from 'node:worker_threads';
import type { ShardResult, TeacherShard } from '../gradient-shards.js';
import type { GradientWorkerData } from './gradient-worker-protocol.js';
import { serveWorkerJobs, setUpWorkerTfjs } from './worker-pool.js';

const data = workerData as GradientWorkerData;

// The network and the job loop; the imports wait for the backend the parent chose.
serveWorkerJobs(async () => {
  await setUpWorkerTfjs(data);
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

  /** The loss and gradient of one slice at the shared parameters. */
  const compute = (shard: TeacherShard): ShardResult => {
    let offset = 0;
    for (const parameter of parameters) {
      const values = data.parameters.slice(offset, offset + parameter.size);
      tf.tidy(() => parameter.assign(tf.tensor(values, parameter.shape)));
      offset += parameter.size;
    }
    return tf.tidy(() => {
      const x = tf.tensor(shard.x, shard.shape);
      const noise = tf.tensor(shard.noise, shard.shape);
      const sigma = tf.tensor1d(shard.sigma);
      const labels = shard.labels === undefined ? undefined : tf.tensor1d(shard.labels, 'int32');
      const { value, grads } = tf.variableGrads(
        () =>
          score.denoisingScoreMatchingLoss(network, x, {
            sigma,
            noise,
            ...(labels === undefined ? {} : { labels }),
          }) as import('@tensorflow/tfjs-core').Scalar,
        parameters,
      );
      const gradients = new Float32Array(offset);
      let at = 0;
      for (const parameter of parameters) {
        gradients.set((grads[parameter.name] as typeof parameter).dataSync() as Float32Array, at);
        at += parameter.size;
      }
      return { loss: value.dataSync()[0] as number, gradients };
    });
  };

  return (_kind, input) => {
    const result = compute(input as TeacherShard);
    return { answer: result, transfer: [result.gradients.buffer as ArrayBuffer] };
  };
});
