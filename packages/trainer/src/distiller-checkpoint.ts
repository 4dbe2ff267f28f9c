import type { RatioNormalizer } from '@fdistill/divergence';
import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from './adamw.js';
import type { CheckpointContent } from './checkpoint-bytes.js';
import { CheckpointError } from './checkpoint-error.js';
import { type CheckpointStore, readCheckpoint, writeCheckpoint } from './checkpoint-store.js';
import type { DistillNetworks } from './distill-networks.js';
import type { ResolvedDistillOptions } from './distill-options.js';

/** Checkpoint tensor prefixes of each network. */
const PREFIX = {
  student: 'student.',
  fakeScore: 'fake-score.',
  discriminator: 'discriminator.',
  studentEma: 'student-ema.',
  optimizer: 'optimizer.',
} as const;

/** The optimizers of a distillation run, by role. */
export type DistillOptimizers = { generator: AdamW; fakeScore: AdamW; discriminator: AdamW };

/** Everything of a distillation run that a checkpoint holds (live objects, not copies). */
export interface DistillerState {
  networks: DistillNetworks;
  optimizers: DistillOptimizers;
  ratioNormalizer?: RatioNormalizer;
  options: ResolvedDistillOptions;
  /** Steps taken so far. */
  step: number;
}

/** Every tensor of the run's state by checkpoint name (live variables, not copies). */
function stateTensors({ networks, optimizers }: DistillerState): Map<string, tf.Tensor> {
  const tensors = new Map<string, tf.Tensor>();
  const add = (prefix: string, entries: Iterable<[string, tf.Tensor]>) => {
    for (const [name, tensor] of entries) tensors.set(`${prefix}${name}`, tensor);
  };
  const { student, fakeScore, discriminator, studentEma } = networks;
  add(PREFIX.student, student.stateDict());
  add(PREFIX.fakeScore, fakeScore.stateDict());
  add(PREFIX.discriminator, discriminator.module.stateDict());
  if (studentEma) add(PREFIX.studentEma, studentEma.stateDict());
  for (const [role, optimizer] of Object.entries(optimizers)) {
    add(`${PREFIX.optimizer}${role}.`, optimizer.getState().moments);
  }
  return tensors;
}

/**
 * Writes a distillation run's state (networks, EMA, optimizer moments, steps and learning rates,
 * ratio bins, step, divergence, options, and `extraState`) to `store` as one safetensors file.
 *
 * @example writeDistillerCheckpoint(store, { networks, optimizers, ratioNormalizer, options, step: 120 });
 */
export async function writeDistillerCheckpoint(
  store: CheckpointStore,
  run: DistillerState,
  extraState: Record<string, unknown> = {},
): Promise<void> {
  const { divergence, ...rest } = run.options;
  const byRole = (value: (optimizer: AdamW) => number) =>
    Object.fromEntries(
      Object.entries(run.optimizers).map(([role, optimizer]) => [role, value(optimizer)]),
    );
  const ratioNormalizer = (await run.ratioNormalizer?.getState()) ?? null;
  await writeCheckpoint(store, {
    tensors: stateTensors(run),
    state: {
      ...extraState,
      step: run.step,
      divergence: divergence.name,
      options: rest,
      optimizerSteps: byRole((optimizer) => optimizer.steps),
      learningRates: byRole((optimizer) => optimizer.learningRate),
      ratioNormalizer,
    },
  });
}

/**
 * Restores a checkpoint written by `writeDistillerCheckpoint` into the run's live networks,
 * optimizers and ratio bins, and returns its state (the run's step is `state.step`). With
 * `warmStart`, only the network weights are taken (e.g. from a reverse-KL run, the paper's
 * discriminator warm-up): optimizers and ratio bins stay fresh, and the divergence may differ.
 * A checkpoint of another divergence (without `warmStart`) or of other networks throws a
 * `CheckpointError`.
 *
 * @example const state = readDistillerCheckpoint(store, run, { warmStart: false });
 */
export function readDistillerCheckpoint(
  store: CheckpointStore,
  run: Omit<DistillerState, 'step'>,
  { warmStart }: { warmStart: boolean },
): Record<string, unknown> {
  const content: CheckpointContent = readCheckpoint(store);
  try {
    const state = content.state;
    const divergence = run.options.divergence.name;
    if (!warmStart && state.divergence !== divergence) {
      throw new CheckpointError(
        `loadCheckpoint: ${store.name} was trained with divergence "${String(state.divergence)}", this run uses "${divergence}" (use warmStart to start from it)`,
      );
    }
    const take = (prefix: string) =>
      new Map(
        [...content.tensors]
          .filter(([name]) => name.startsWith(prefix))
          .map(([name, tensor]) => [name.slice(prefix.length), tensor]),
      );
    const { student, fakeScore, discriminator, studentEma } = run.networks;
    try {
      student.loadStateDict(take(PREFIX.student));
      fakeScore.loadStateDict(take(PREFIX.fakeScore));
      discriminator.module.loadStateDict(take(PREFIX.discriminator));
      if (studentEma) studentEma.loadStateDict(take(PREFIX.studentEma));
    } catch (error) {
      // Tensors missing, unexpected or misshapen: a checkpoint of other networks.
      throw new CheckpointError(
        `loadCheckpoint: ${store.name} does not fit this run's networks (${(error as Error).message})`,
      );
    }
    if (warmStart) return state;
    const steps = state.optimizerSteps as Record<string, number>;
    const learningRates = state.learningRates as Record<string, number>;
    for (const [role, optimizer] of Object.entries(run.optimizers)) {
      optimizer.setState({
        steps: steps[role] as number,
        moments: take(`${PREFIX.optimizer}${role}.`),
      });
      optimizer.learningRate = learningRates[role] as number;
    }
    if (run.ratioNormalizer && state.ratioNormalizer) {
      run.ratioNormalizer.setState(
        state.ratioNormalizer as Parameters<RatioNormalizer['setState']>[0],
      );
    }
    return state;
  } finally {
    tf.dispose([...content.tensors.values()]);
  }
}
