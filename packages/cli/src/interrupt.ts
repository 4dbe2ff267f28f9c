/**
 * Runs a training task with Ctrl-C wired to an abort signal: the first SIGINT asks the task to
 * finish its current step and write a checkpoint, a second one exits at once (code 130).
 *
 * @example const summary = await withInterrupt((signal) => runTraining(trainer, { signal, ... }));
 */
export async function withInterrupt<Result>(
  task: (signal: AbortSignal) => Promise<Result>,
): Promise<Result> {
  const controller = new AbortController();
  const interrupt = () => {
    console.error(
      '\ninterrupted: finishing the current step and writing a checkpoint (Ctrl-C again to quit now)',
    );
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  try {
    return await task(controller.signal);
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}
