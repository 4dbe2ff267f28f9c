/**
 * A sampler worker (`startSamplerWorkers`): selects its tfjs backend, rebuilds the teacher, says
 * 'ready', then answers each job (a chunk of noise, `SamplerChunk`) with the teacher's Heun
 * solution from it, or with its error.
 */
import { workerData } from 'node:worker_threads';
import type { SamplerChunk, SamplerWorkerData } from './sampler-worker-protocol.js';
import { serveWorkerJobs, setUpWorkerTfjs } from './worker-pool.js';

const data = workerData as SamplerWorkerData;

// The teacher and the job loop; the imports wait for the backend the parent chose.
serveWorkerJobs(async () => {
  await setUpWorkerTfjs(data);
  const { solveChunk } = await import('./solve-chunk.js');
  const score = await import('@fdistill/score');
  const teacher = score.UNetDenoiser.fromSafetensors(new Uint8Array(data.networkBytes));
  teacher.setTrainable(false);
  return (_kind, input) => {
    const samples = solveChunk(teacher, input as SamplerChunk);
    return { answer: samples, transfer: [samples.buffer as ArrayBuffer] };
  };
});
