/** The signals that ask a training run to stop after a checkpoint: Ctrl-C, and `kill` (SIGTERM). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs a training task with Ctrl-C (SIGINT) and SIGTERM wired to an abort signal: the first one
 * asks the task to finish its current step and write a checkpoint, a second one exits at once
 * (code 130). SIGKILL cannot be caught: the atomic checkpoint writes keep the last checkpoint.
 *
 * @example const summary = await withInterrupt((signal) => runTraining(trainer, { signal, ... }));
 */
export async function withInterrupt<Result>(
  task: (signal: AbortSignal) => Promise<Result>,
): Promise<Result> {
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    console.error(
      `\ninterrupted (${signal}): finishing the current step and writing a checkpoint (Ctrl-C again to quit now)`,
    );
    controller.abort();
    for (const name of STOP_SIGNALS) {
      process.removeListener(name, interrupt);
      process.once(name, () => process.exit(130));
    }
  };
  for (const name of STOP_SIGNALS) process.once(name, interrupt);
  try {
    return await task(controller.signal);
  } finally {
    for (const name of STOP_SIGNALS) process.removeListener(name, interrupt);
  }
}
