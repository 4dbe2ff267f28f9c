import {
  type DenoisingScoreMatchingOptions,
  denoisingScoreMatchingDraws,
  denoisingScoreMatchingLoss,
  type EdmNetwork,
  updateExponentialMovingAverage,
} from '@fdistill/score';
import { assertFiniteNumber, assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './adamw.js';
import { type CheckpointStore, readCheckpoint, writeCheckpoint } from './checkpoint-store.js';
import type { DataSource } from './data/data-source.js';
import {
  flatParameters,
  type GradientShards,
  shardSizes,
  teacherShardOf,
  weightedGradients,
  weightedSum,
} from './gradient-shards.js';
import { cosineDecay } from './learning-rate-schedule.js';
import { checkFinite, type NonFiniteAction } from './non-finite.js';
import { stepSeed } from './seeds.js';
import { disposeObject, tidyObject } from './tensor-objects.js';

/** Options of `TeacherTrainer`. */
export interface TeacherTrainingOptions {
  batchSize: number;
  /** Total steps of the schedule (the cosine decay reaches 0 there). */
  totalSteps: number;
  /** Peak learning rate; default 1e-3. */
  learningRate?: number;
  /** Linear warm-up steps, then cosine decay to 0 at `totalSteps` (or constant); default 100. */
  warmupSteps?: number;
  schedule?: 'cosine' | 'constant';
  /** AdamW weight decay; default 0.01. */
  weightDecay?: number;
  /** EMA decay of the teacher copy (when an EMA network is given); default 0.999. */
  emaDecay?: number;
  /** Probability of dropping a label to the null label (classifier-free guidance); default 0.1 with labels. */
  labelDropout?: number;
  /** Run seed; default 0. */
  seed?: number;
  /** On NaN/Inf: stop, or roll back to the last checkpoint with halved learning rate; default stop. */
  onNonFinite?: NonFiniteAction;
}

/** What one teacher-training step reports. */
export interface TeacherStepEvent {
  step: number;
  loss: number;
  learningRate: number;
  seconds: number;
}

/**
 * EDM denoising-score-matching training of a score network (the teacher) on a data source, with
 * AdamW, linear warm-up and cosine decay, an optional EMA copy, and bit-exact checkpoints (the
 * data, noise levels and noise of step k derive from the seed and k).
 *
 * @example
 * const trainer = new TeacherTrainer(network, source, { batchSize: 256, totalSteps: 2000 }, ema);
 * await runTraining(trainer, { totalSteps: 2000, checkpointPath: 'teacher.safetensors' });
 */
export class TeacherTrainer {
  readonly options: Required<TeacherTrainingOptions>;
  private stepIndex = 0;
  private learningRateScale = 1;
  private readonly optimizer: AdamW;
  private shards: GradientShards | undefined;

  constructor(
    readonly network: EdmNetwork,
    readonly data: DataSource,
    options: TeacherTrainingOptions,
    readonly ema?: EdmNetwork,
  ) {
    this.options = {
      learningRate: 1e-3,
      warmupSteps: 100,
      schedule: 'cosine',
      weightDecay: 0.01,
      emaDecay: 0.999,
      labelDropout: data.classCount === undefined ? 0 : 0.1,
      seed: 0,
      onNonFinite: 'stop',
      ...options,
    };
    const { batchSize, totalSteps, learningRate, warmupSteps, schedule, labelDropout, emaDecay } =
      this.options;
    assertIntegerAtLeast('TeacherTrainer: options.batchSize', batchSize, 1);
    assertIntegerAtLeast('TeacherTrainer: options.totalSteps', totalSteps, 1);
    assertPositiveNumber('TeacherTrainer: options.learningRate', learningRate);
    assertIntegerAtLeast('TeacherTrainer: options.warmupSteps', warmupSteps, 0);
    if (schedule !== 'cosine' && schedule !== 'constant') {
      throw new RangeError(
        `TeacherTrainer: options.schedule must be 'cosine' or 'constant', got ${String(schedule)}`,
      );
    }
    assertFiniteNumber('TeacherTrainer: options.labelDropout', labelDropout);
    if (labelDropout < 0 || labelDropout >= 1) {
      throw new RangeError(
        `TeacherTrainer: options.labelDropout must be in [0, 1), got ${labelDropout}`,
      );
    }
    if (!(emaDecay >= 0 && emaDecay <= 1)) {
      throw new RangeError(`TeacherTrainer: options.emaDecay must be in [0, 1], got ${emaDecay}`);
    }
    assertIntegerAtLeast('TeacherTrainer: options.seed', this.options.seed, 0);
    this.optimizer = new AdamW(network.namedParameters(), {
      learningRate,
      weightDecay: this.options.weightDecay,
    });
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.stepIndex;
  }

  /** The learning rate at a step: linear warm-up, then cosine decay to 0 (or constant). */
  learningRateAt(step: number): number {
    const { learningRate, warmupSteps, totalSteps, schedule } = this.options;
    const peak = learningRate * this.learningRateScale;
    if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
    if (schedule === 'constant') return peak;
    return cosineDecay(peak, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  }

  /** One DSM step on a fresh batch. */
  async step(): Promise<TeacherStepEvent> {
    const started = performance.now();
    const step = this.stepIndex;
    const learningRate = this.learningRateAt(step);
    this.optimizer.learningRate = learningRate;
    const lossTensor =
      this.shards === undefined
        ? tf.tidy(() => {
            const { x, options } = this.drawBatch(step);
            const { value, grads } = tf.variableGrads(
              () => denoisingScoreMatchingLoss(this.network, x, options) as tf.Scalar,
              this.network.parameters(),
            );
            this.optimizer.applyGradients(grads);
            return value;
          })
        : await this.shardedStep(this.shards, step);
    const loss = (await lossTensor.data())[0] as number;
    lossTensor.dispose();
    checkFinite(step, { 'denoising score-matching loss': loss });
    if (this.ema) updateExponentialMovingAverage(this.ema, this.network, this.options.emaDecay);
    this.stepIndex += 1;
    return { step, loss, learningRate, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * Splits every following step's batch between this thread and `shards`' helper threads (or
   * stops splitting, with `undefined`): each computes the gradient of its slice from the same
   * draws, and this thread combines them weighted by slice size and takes the optimizer step.
   * The result is the one-thread step's up to float summation order. The caller keeps owning
   * `shards` (and disposes it).
   *
   * @example trainer.shareWork(shards); // from startGradientWorkers (@fdistill/trainer/node)
   */
  shareWork(shards: GradientShards | undefined): void {
    this.shards = shards;
  }

  /** A step's batch and the options of its loss (seeds, labels and their dropout). */
  private drawBatch(step: number): { x: tf.Tensor; options: DenoisingScoreMatchingOptions } {
    const { batchSize, seed, labelDropout } = this.options;
    const batch = this.data.sample(batchSize, stepSeed(seed, step, 'real-data'));
    return {
      x: batch.x,
      options: {
        seed: stepSeed(seed, step, 'teacher-noise'),
        ...(batch.labels !== undefined ? { labels: batch.labels, labelDropout } : {}),
      },
    };
  }

  /**
   * A step whose batch is split between this thread and `shards`: the draws of the whole batch
   * here, each slice's loss and gradient on its thread, combined weighted by slice size in a
   * fixed order, then the optimizer step. Returns the batch's loss.
   */
  private async shardedStep(shards: GradientShards, step: number): Promise<tf.Scalar> {
    const inputs = tidyObject(() => {
      const { x, options } = this.drawBatch(step);
      return { x, draws: denoisingScoreMatchingDraws(this.network, x, options) };
    });
    const { x, draws } = inputs;
    try {
      const batch = x.shape[0] as number;
      const sizes = shardSizes(batch, shards.count + 1);
      const [ownSize, ...helperSizes] = sizes as [number, ...number[]];
      let start = ownSize;
      const slices = helperSizes.map((size) => {
        const shard = teacherShardOf(x, draws, start, size);
        start += size;
        return shard;
      });
      const pending = shards.compute(slices, flatParameters(this.network));
      const parameters = this.network.parameters();
      const own = tidyObject(() => {
        const rows = (tensor: tf.Tensor) => tf.slice(tensor, 0, ownSize) as tf.Tensor;
        return tf.variableGrads(
          () =>
            denoisingScoreMatchingLoss(this.network, rows(x), {
              sigma: rows(draws.sigma),
              noise: rows(draws.noise),
              ...(draws.labels === undefined ? {} : { labels: rows(draws.labels) }),
            }) as tf.Scalar,
          parameters,
        );
      });
      try {
        const results = await pending;
        const fractions = sizes.map((size) => size / batch);
        const gradients = weightedGradients(
          parameters,
          own.grads,
          results.map((result) => result.gradients),
          fractions,
        );
        this.optimizer.applyGradients(gradients);
        disposeObject(gradients);
        return weightedSum(
          own.value,
          results.map((result) => result.loss),
          fractions,
        );
      } finally {
        disposeObject(own);
      }
    } finally {
      disposeObject(inputs);
    }
  }

  /** Writes the network, its EMA, the optimizer state and the step to `store`. */
  async saveCheckpoint(
    store: CheckpointStore,
    extraState: Record<string, unknown> = {},
  ): Promise<void> {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, variable] of this.network.stateDict())
      tensors.set(`network.${name}`, variable);
    for (const [name, variable] of this.ema?.stateDict() ?? [])
      tensors.set(`ema.${name}`, variable);
    const optimizerState = this.optimizer.getState();
    for (const [name, moment] of optimizerState.moments) tensors.set(`optimizer.${name}`, moment);
    await writeCheckpoint(store, {
      tensors,
      state: {
        ...extraState,
        step: this.stepIndex,
        optimizerSteps: optimizerState.steps,
        learningRateScale: this.learningRateScale,
        options: this.options,
      },
    });
  }

  /** Restores a checkpoint written by `saveCheckpoint`. */
  loadCheckpoint(store: CheckpointStore): Record<string, unknown> {
    const { tensors, state } = readCheckpoint(store);
    try {
      const take = (prefix: string) =>
        new Map(
          [...tensors]
            .filter(([name]) => name.startsWith(prefix))
            .map(([name, tensor]) => [name.slice(prefix.length), tensor]),
        );
      this.network.loadStateDict(take('network.'));
      if (this.ema) this.ema.loadStateDict(take('ema.'));
      this.optimizer.setState({
        steps: state.optimizerSteps as number,
        moments: take('optimizer.'),
      });
      this.learningRateScale = state.learningRateScale as number;
      this.stepIndex = state.step as number;
      return state;
    } finally {
      tf.dispose([...tensors.values()]);
    }
  }

  /** Multiplies the learning rate schedule by `factor` (a rollback halves it). */
  scaleLearningRates(factor: number): void {
    this.learningRateScale *= factor;
  }

  /** Frees the optimizer state (the networks belong to the caller). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
