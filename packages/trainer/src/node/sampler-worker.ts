/**
 * A sampler worker (`startSamplerWorkers`): selects its tfjs backend, rebuilds the teacher, says
 * 'ready', then answers each job (a chunk of noise, `SamplerChunk`) with the teacher's Heun
 * solution from it, or with its error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SamplerChunk, SamplerWorkerData } from './sampler-worker-protocol.js';
import { setUpWorkerTfjs, type WorkerAnswerMessage, type WorkerJobMessage } from './worker-pool.js';

const data = workerData as SamplerWorkerData;

/** The teacher and the job loop; the imports wait for the backend the parent chose. */
async function main(): Promise<void> {
  await setUpWorkerTfjs(data);
  const { solveChunk } = await import('./solve-chunk.js');
  const score = await import('@fdistill/score');
  const teacher = score.UNetDenoiser.fromSafetensors(new Uint8Array(data.networkBytes));
  teacher.setTrainable(false);
  parentPort?.on('message', (message: WorkerJobMessage) => {
    let reply: WorkerAnswerMessage;
    let transfer: ArrayBuffer[] = [];
    try {
      const samples = solveChunk(teacher, message.input as SamplerChunk);
      reply = { job: message.job, answer: samples };
      transfer = [samples.buffer as ArrayBuffer];
    } catch (error) {
      reply = { job: message.job, error: (error as Error).message ?? String(error) };
    }
    parentPort?.postMessage(reply, transfer);
  });
  parentPort?.postMessage('ready');
}

main().catch((error: Error) => {
  parentPort?.postMessage({ error: error.message ?? String(error) });
});
