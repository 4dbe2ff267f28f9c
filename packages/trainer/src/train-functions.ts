import type { EdmNetwork } from '@fdistill/score';
import type { DataSource } from './data/data-source.js';
import type { DistillStepEvent } from './distill-events.js';
import type { DistillOptions } from './distill-options.js';
import { Distiller, type DistillNetworks } from './distiller.js';
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

/**
 * Runs f-distill (Algorithm 1) for `totalSteps` steps: builds a `Distiller`, optionally pre-fits
 * a fresh fake score, and drives it with checkpoints (see `runTraining`). The networks hold the
 * result.
 *
 * @example await distill(networks, mixtureSource(ring), { divergence: getDivergence('js'), batchSize: 256 }, { totalSteps: 2000 });
 */
export async function distill(
  networks: DistillNetworks,
  data: DataSource,
  options: DistillOptions,
  run: RunTrainingOptions<DistillStepEvent> & { fakeScorePrefitSteps?: number },
): Promise<RunTrainingResult> {
  const { fakeScorePrefitSteps = 0, ...runOptions } = run;
  const distiller = new Distiller(networks, data, options);
  try {
    if (fakeScorePrefitSteps > 0) distiller.prefitFakeScore(fakeScorePrefitSteps);
    return await runTraining(distiller, runOptions);
  } finally {
    distiller.dispose();
  }
}
