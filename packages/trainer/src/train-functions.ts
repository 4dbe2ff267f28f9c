import type { EdmNetwork } from '@fdistill/score';
import type { DataSource } from './data/data-source.js';
import type { DistillStepEvent } from './distill-events.js';
import type { DistillRun } from './distill-run.js';
import { type RunTrainingOptions, type RunTrainingResult, runTraining } from './run-training.js';
import {
  type TeacherStepEvent,
  TeacherTrainer,
  type TeacherTrainingOptions,
} from './teacher-trainer.js';

/**
 * Trains a teacher by EDM denoising score matching for `options.totalSteps` steps (see
 * `TeacherTrainer` and `runTraining`), resuming from `run.checkpoint` when it holds one and
 * `resume` is set. Returns how the run ended; the network (and its EMA) hold the result.
 *
 * @example await trainTeacher(network, mixtureSource(ring), { batchSize: 256, totalSteps: 3000 }, { checkpoint: checkpointFile('teacher.safetensors') });
 */
export async function trainTeacher(
  network: EdmNetwork,
  data: DataSource,
  options: TeacherTrainingOptions,
  run: Omit<RunTrainingOptions<TeacherStepEvent>, 'totalSteps'> & {
    ema?: EdmNetwork;
    resume?: boolean;
  } = {},
): Promise<RunTrainingResult> {
  const { ema, resume, ...runOptions } = run;
  const trainer = new TeacherTrainer(network, data, options, ema);
  try {
    if (resume && run.checkpoint?.read() !== undefined) trainer.loadCheckpoint(run.checkpoint);
    return await runTraining(trainer, { ...runOptions, totalSteps: options.totalSteps });
  } finally {
    trainer.dispose();
  }
}

/** Options of `distill`: those of `runTraining`, plus how a fresh run starts or an old one resumes. */
export interface DistillRunOptions extends RunTrainingOptions<DistillStepEvent> {
  /** Continue from the checkpoint in `options.checkpoint` (it must hold one) instead of starting fresh. */
  resume?: boolean;
  /** Called with the checkpoint's state once a resumed run has loaded it, before the first step. */
  onResume?: (state: Record<string, unknown>) => void;
  /** Called before a fresh run's warm start, when it has one (e.g. to say it may take a while). */
  onWarmStart?: () => void;
}

/**
 * Runs f-distill (Algorithm 1) on a built run of any kind to `totalSteps`: resumes from the
 * checkpoint (`resume`) or, on a fresh run, calls the run's own `warmStart` when it has one, then
 * drives its distiller with checkpoints, abort and rollback (see `runTraining`). The run's
 * networks hold the result. A run aborted during its warm start returns `interrupted` at step 0
 * without writing a checkpoint.
 *
 * @example
 * const run = buildMixtureRun(MIXTURE_RUN_SETTINGS.ring8);
 * await distill(run, { totalSteps: 1000, checkpoint: memoryCheckpointStore() });
 */
export async function distill(
  run: Pick<DistillRun, 'distiller' | 'warmStart'>,
  options: DistillRunOptions,
): Promise<RunTrainingResult> {
  const { resume, onResume, onWarmStart, ...runOptions } = options;
  const { distiller } = run;
  if (resume) {
    if (runOptions.checkpoint === undefined) {
      throw new RangeError('distill: options.resume needs options.checkpoint');
    }
    const state = distiller.loadCheckpoint(runOptions.checkpoint);
    onResume?.(state);
  } else if (run.warmStart !== undefined) {
    onWarmStart?.();
    await run.warmStart(runOptions.signal);
    // Stopped during the warm start: no step taken, so no checkpoint (a resume would skip the rest).
    if (runOptions.signal?.aborted) return { steps: 0, interrupted: true, rollbacks: 0 };
  }
  return runTraining(distiller, runOptions);
}
