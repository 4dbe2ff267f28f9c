/**
 * A distill worker (`startDistillWorkers`): imports tfjs, selects the backend the calling
 * thread chose, rebuilds the run's networks, says 'ready', then answers each job (a slice of a
 * critic or generator step, `DistillSliceJobs`) with its result or its error message.
 */
import { workerData } from 'node:worker_threads';
import type { DistillWorkerData } from './distill-slice-jobs.js';
import { serveWorkerJobs, setUpWorkerTfjs } from './worker-pool.js';

const data = workerData as DistillWorkerData;

// Sets up tfjs as the calling thread has it (production mode, backend) and the networks (their
// imports wait for the backend), then serves jobs.
serveWorkerJobs(async () => {
  await setUpWorkerTfjs(data);
  const { DistillSliceJobs } = await import('./distill-slice-jobs.js');
  const jobs = new DistillSliceJobs(data);
  return (kind, input) => jobs.answer(kind, input);
});
