import { GuidedDenoiser, heunSampler, type UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { SamplerChunk } from './sampler-worker-protocol.js';

/**
 * The teacher's deterministic Heun solution from one chunk of noise (guided when the chunk's
 * scale is not 1), flat. The same code runs on every thread (`startSamplerWorkers`), so a
 * chunk's solution does not depend on which thread solved it.
 *
 * @example const samples = solveChunk(teacher, { noise, shape: [100, 32, 32, 1], steps: 18, guidanceScale: 1.5 });
 */
export function solveChunk(teacher: UNetDenoiser, chunk: SamplerChunk): Float32Array {
  const samples = tf.tidy(() => {
    const denoiser =
      chunk.guidanceScale === 1 ? teacher : new GuidedDenoiser(teacher, chunk.guidanceScale);
    return heunSampler(denoiser, {
      noise: tf.tensor(chunk.noise, chunk.shape),
      ...(chunk.labels === undefined ? {} : { labels: tf.tensor1d(chunk.labels, 'int32') }),
      steps: chunk.steps,
    }).samples;
  });
  const values = Float32Array.from(samples.dataSync() as Float32Array);
  samples.dispose();
  return values;
}
