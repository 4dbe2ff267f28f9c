/**
 * A distill worker (`startDistillWorkers`): imports tfjs, selects the backend the calling
 * thread chose, rebuilds the run's networks, says 'ready', then answers each job (a slice of a
 * critic or generator step, `DistillSliceJobs`) with its result or its error message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DistillWorkerData } from './distill-slice-jobs.js';
import { setUpWorkerTfjs, type WorkerAnswerMessage, type WorkerJobMessage } from './worker-pool.js';

const data = workerData as DistillWorkerData;

/**
 * Sets up tfjs as the calling thread has it (production mode, backend) and the networks (their
 * imports wait for the backend), then serves jobs.
 */
async function main(): Promise<void> {
  await setUpWorkerTfjs(data);
  const { DistillSliceJobs } = await import('./distill-slice-jobs.js');
  const jobs = new DistillSliceJobs(data);
  parentPort?.on('message', (message: WorkerJobMessage) => {
    let reply: WorkerAnswerMessage;
    let transfer: ArrayBuffer[] = [];
    try {
      const answered = jobs.answer(message.kind, message.input);
      reply = { job: message.job, answer: answered.answer };
      transfer = answered.transfer;
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
