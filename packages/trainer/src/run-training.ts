import { assertIntegerAtLeast } from '@fdistill/utils';
import type { CheckpointStore } from './checkpoint-store.js';
import { type NonFiniteAction, NonFiniteLossError } from './non-finite.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/** A step-by-step trainer that `runTraining` can drive, checkpoint and roll back. */
export interface ResumableTrainer<Event> {
  /** Steps taken so far. */
  readonly steps: number;
  /** What to do on a NaN/Inf loss. */
  readonly options: { onNonFinite: NonFiniteAction };
  step(): Promise<Event>;
  saveCheckpoint(store: CheckpointStore, extraState?: Record<string, unknown>): Promise<void>;
  loadCheckpoint(store: CheckpointStore): unknown;
  scaleLearningRates(factor: number): void;
}

/** Options of `runTraining`. */
export interface RunTrainingOptions<Event> {
  /** Run until the trainer has taken this many steps in all. */
  totalSteps: number;
  /** Where the checkpoint lives (overwritten each time): `checkpointFile(path)` from `@fdistill/trainer/node`, or `memoryCheckpointStore()`. */
  checkpoint?: CheckpointStore;
  /** Write a checkpoint every this many steps (and at the end); default 500. */
  checkpointEvery?: number;
  /** Called after every step (awaited when it returns a promise, e.g. to read tensors back). */
  onStep?: (event: Event) => unknown;
  /** Abort (e.g. on Ctrl-C): the current step finishes, a checkpoint is written, the run returns. */
  signal?: AbortSignal;
  /** Extra JSON state to store in every checkpoint (e.g. the CLI's resolved config). */
  checkpointState?: Record<string, unknown>;
}

/** How a run ended. */
export interface RunTrainingResult {
  steps: number;
  interrupted: boolean;
  rollbacks: number;
}

/**
 * Runs a trainer (`Distiller`, `TeacherTrainer`) to `totalSteps`, checkpointing periodically, at the end and on abort. It
 * yields to the event loop between steps so that a signal handler can run. On a NaN/Inf loss
 * with `onNonFinite: 'rollback'` it reloads the last checkpoint and halves the learning rates
 * (at most 3 times); otherwise the `NonFiniteLossError` propagates, the last checkpoint intact.
 *
 * @example
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * await runTraining(distiller, { totalSteps: 2000, checkpoint: checkpointFile('run/checkpoint.safetensors'), signal: controller.signal });
 */
export async function runTraining<Event>(
  trainer: ResumableTrainer<Event>,
  options: RunTrainingOptions<Event>,
): Promise<RunTrainingResult> {
  const {
    totalSteps,
    checkpoint: store,
    checkpointEvery = 500,
    onStep,
    signal,
    checkpointState,
  } = options;
  assertIntegerAtLeast('runTraining: options.totalSteps', totalSteps, 0);
  assertIntegerAtLeast('runTraining: options.checkpointEvery', checkpointEvery, 1);
  const checkpoint = async () => {
    if (store) await trainer.saveCheckpoint(store, checkpointState);
  };
  let rollbacks = 0;
  while (trainer.steps < totalSteps) {
    if (signal?.aborted) {
      await checkpoint();
      return { steps: trainer.steps, interrupted: true, rollbacks };
    }
    try {
      const event = await trainer.step();
      await onStep?.(event);
    } catch (error) {
      const canRollBack =
        error instanceof NonFiniteLossError &&
        trainer.options.onNonFinite === 'rollback' &&
        store?.read() !== undefined &&
        rollbacks < 3;
      if (!canRollBack || store === undefined) throw error;
      // The checkpoint restores its learning rates: halve them once per rollback so far.
      trainer.loadCheckpoint(store);
      rollbacks += 1;
      trainer.scaleLearningRates(0.5 ** rollbacks);
      continue;
    }
    if (trainer.steps % checkpointEvery === 0) await checkpoint();
    await yieldToEventLoop();
  }
  await checkpoint();
  return { steps: trainer.steps, interrupted: false, rollbacks };
}
