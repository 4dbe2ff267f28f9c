/**
 * A fault for worker-pool tests, imported first by a worker (its URL in the workers' `imports`):
 * its query says which fault hits the worker at its `job`-th job message. `fault=exit` ends the
 * thread with code 7, `fault=throw` throws from its listener instead of running the job (the worker's
 * 'error' event),
 * `fault=hang` spins forever without answering.
 *
 * @example imports: [import.meta.resolve('@tensorflow/tfjs'), `${import.meta.resolve('@fdistill/testing/worker-faults')}?fault=exit&job=3`]
 */
import { parentPort } from 'node:worker_threads';

const query = new URL(import.meta.url).searchParams;
const fault = query.get('fault');
const faultyJob = Number(query.get('job'));
let jobs = 0;

parentPort?.on('message', (message: unknown) => {
  if (typeof message !== 'object' || message === null || !('job' in message)) return;
  jobs += 1;
  if (jobs !== faultyJob) return;
  if (fault === 'exit') process.exit(7);
  if (fault === 'throw' && parentPort) {
    // The port still runs the worker's own listener after this one throws: silence its answer.
    parentPort.postMessage = () => {};
    throw new Error('injected worker fault');
  }
  if (fault === 'hang') for (;;);
});
