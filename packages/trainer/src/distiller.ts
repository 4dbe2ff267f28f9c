import type { EdmNetwork, Module } from '@fdistill/score';
import { updateExponentialMovingAverage } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './adamw.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DataSource } from './data/data-source.js';
import type { DistillStepEvent } from './distill-events.js';
import { DistillModel } from './distill-model.js';
import type { DistillNetworks } from './distill-networks.js';
import {
  type DistillOptions,
  type ResolvedDistillOptions,
  resolveDistillOptions,
} from './distill-options.js';
import type { DistillShards } from './distill-shards.js';
import { criticGradientsInSlices, generatorGradientsInSlices } from './distill-steps-in-slices.js';
import {
  type DistillOptimizers,
  readDistillerCheckpoint,
  writeDistillerCheckpoint,
} from './distiller-checkpoint.js';
import { clipByGlobalNorm } from './gradient-clipping.js';
import { checkFinite } from './non-finite.js';
import { type SampleWeighting, weightingOfSamples } from './sample-weighting.js';
import { disposeObject } from './tensor-objects.js';
import {
  type PairRegression,
  prefitFakeScore,
  regressStudentOnPairs,
  type SamplerPairs,
  type StudentWarmStart,
  warmStartStudent,
} from './warm-start.js';

/**
 * f-distill training (paper Algorithm 1). Step k updates the generator when
 * `k % tau == 0` with `L_fdistill + w_GAN L_GAN`, where each sample's score difference is
 * weighted by `hbar = h(r) / mean h(r)` and r comes from the discriminator's logit, normalized
 * per sigma bin; otherwise it updates the fake score (x0 MSE on the detached student output) and
 * the discriminator (logistic loss + R1). Every random draw derives from the seed and the step,
 * so `saveCheckpoint` + `loadCheckpoint` resume bit for bit. The losses live in their own
 * modules (`distillGeneratorLoss`, `criticLoss`, `fakeScoreLoss`); this class owns the
 * optimizers, the step order and the EMA.
 *
 * @example
 * const distiller = new Distiller({ teacher, student, fakeScore, discriminator }, data, {
 *   divergence: getDivergence('js'), batchSize: 256 });
 * for (let i = 0; i < 1000; i++) distiller.step();
 */
export class Distiller {
  /** The options with every default filled in. */
  readonly options: ResolvedDistillOptions;
  private stepIndex = 0;
  private readonly model: DistillModel;
  private readonly optimizers: DistillOptimizers;
  private shards: DistillShards | undefined;

  constructor(
    readonly networks: DistillNetworks,
    readonly data: DataSource,
    options: DistillOptions,
  ) {
    this.options = resolveDistillOptions(options);
    this.model = new DistillModel(networks, data, this.options);
    const { learningRates, weightDecay, betas } = this.options;
    const adamW = (module: Module, learningRate: number) =>
      new AdamW(module.namedParameters(), {
        learningRate,
        weightDecay,
        beta1: betas[0],
        beta2: betas[1],
      });
    this.optimizers = {
      generator: adamW(networks.student, learningRates.generator),
      fakeScore: adamW(networks.fakeScore, learningRates.fakeScore),
      discriminator: adamW(networks.discriminator.module, learningRates.discriminator),
    };
  }

  /** The threads that share each f-distill step: 1 + the helpers of `shareWork`. */
  get threads(): number {
    return 1 + (this.shards?.count ?? 0);
  }

  /** Number of steps taken so far (the index of the next step). */
  get steps(): number {
    return this.stepIndex;
  }

  /** One-step generation: `G(z) = D(sigma_max z; sigma_max)` of `network` (default the student). */
  generate(latent: tf.Tensor, labels?: tf.Tensor1D, network?: EdmNetwork): tf.Tensor {
    return this.model.generate(latent, labels, network);
  }

  /** Takes step `steps` (a generator or a critic step) and reports it. */
  async step(): Promise<DistillStepEvent> {
    const started = performance.now();
    const step = this.stepIndex;
    const event =
      step % this.options.fakeUpdateFrequency === 0
        ? await this.generatorStep(step)
        : await this.criticStep(step);
    this.stepIndex += 1;
    event.seconds = (performance.now() - started) / 1000;
    return event;
  }

  /**
   * Splits every following step's batch between this thread and `shards`' helper threads (or
   * stops splitting, with `undefined`). This thread still draws every random input for the whole
   * batch and computes the batch statistics (the ratio bins, hbar = h / mean h); each thread
   * computes the losses and gradients of its slice, and this thread weights them by slice size
   * in a fixed order. The result is the one-thread step's up to float summation order, and a
   * run with a given number of helpers is deterministic. The caller keeps owning `shards` (and
   * disposes it); warm starts stay on this thread.
   *
   * @example distiller.shareWork(await startDistillWorkers({ distiller, helpers: 3, ... })); // @fdistill/trainer/node
   */
  shareWork(shards: DistillShards | undefined): void {
    this.shards = shards;
  }

  /**
   * Warm-starts the student on the teacher's sampler before distilling (`warmStartStudent` of
   * the warm-start module: DMD's regression loss as initialization, for an exact teacher with no
   * weights to copy). Call it before `prefitFakeScore`. Returns the last loss.
   *
   * @example await distiller.warmStartStudent({ steps: 1000, pairs: 16384 });
   */
  warmStartStudent(settings: StudentWarmStart): Promise<number> {
    return warmStartStudent(this.model, settings);
  }

  /**
   * Fits the student to given sampler pairs (`regressStudentOnPairs` of the warm-start module:
   * class-conditional pairs carry labels), then sets the EMA student to it; an aborted `signal`
   * stops it after the current update. Returns the last loss.
   *
   * @example await distiller.regressStudentOnPairs({ latents, labels, targets }, { steps: 1500 });
   */
  regressStudentOnPairs(pairs: SamplerPairs, settings: PairRegression): Promise<number> {
    return regressStudentOnPairs(this.model, pairs, settings);
  }

  /**
   * Fits the fake score to the initial student for `steps` updates of the run's fake-score
   * optimizer before distilling (for a fresh fake network, e.g. with an analytic teacher); an
   * aborted `signal` stops it after the current update. Returns the last loss.
   */
  prefitFakeScore(steps: number, signal?: AbortSignal): Promise<number> {
    return prefitFakeScore(this.model, this.optimizers.fakeScore, steps, signal);
  }

  /**
   * The weighting of `count` fresh student samples (paper Fig. 6; see the sample-weighting
   * module): per sample sigma, r, h(r) and the score-difference norm; class-conditional runs
   * with uniform labels. `chunkSize` samples go through the networks at a time (default: all).
   * Advances the ratio bins as a generator step does.
   *
   * @example const { weight, scoreDifference } = await distiller.weightingOfSamples(2048, 7, 256);
   */
  weightingOfSamples(count: number, seed: number, chunkSize?: number): Promise<SampleWeighting> {
    return weightingOfSamples(this.model, count, seed, chunkSize);
  }

  private async generatorStep(step: number): Promise<DistillStepEvent> {
    const result =
      this.shards === undefined
        ? this.model.generatorGradients(step)
        : await generatorGradientsInSlices(this.model, this.shards, step);
    const clipped = clipByGlobalNorm(result.gradients, this.options.generatorGradientClip);
    this.optimizers.generator.applyGradients(clipped.gradients);
    if (this.networks.studentEma) {
      updateExponentialMovingAverage(
        this.networks.studentEma,
        this.networks.student,
        this.options.emaDecay,
      );
    }
    // One read-back per step: the losses and statistics stacked into one tensor.
    const summary = tf.tidy(() =>
      tf.stack([
        result.loss,
        result.fDistill,
        result.gan,
        clipped.norm,
        tf.mean(result.ratio),
        tf.min(result.ratio),
        tf.max(result.ratio),
        tf.mean(result.weight),
        tf.min(result.weight),
        tf.max(result.weight),
      ]),
    );
    const values = Array.from(await summary.data());
    tf.dispose([summary, clipped.norm, ...Object.values(clipped.gradients)]);
    tf.dispose([
      result.loss,
      result.fDistill,
      result.gan,
      result.ratio,
      result.weight,
      ...Object.values(result.gradients),
    ]);
    const [generator, fDistill, ganGenerator, gradientNorm, ...statistics] = values as number[];
    checkFinite(step, {
      'generator loss': generator as number,
      'generator gradient norm': gradientNorm as number,
    });
    const [ratioMean, ratioMin, ratioMax, weightMean, weightMin, weightMax] =
      statistics as number[];
    return {
      step,
      phase: 'generator',
      losses: { generator, fDistill, ganGenerator },
      ratio: { mean: ratioMean as number, min: ratioMin as number, max: ratioMax as number },
      weight: { mean: weightMean as number, min: weightMin as number, max: weightMax as number },
      generatorGradientNorm: gradientNorm,
      seconds: 0,
    };
  }

  private async criticStep(step: number): Promise<DistillStepEvent> {
    const losses =
      this.shards === undefined
        ? tf.tidy(() => {
            const fake = this.model.fakeScoreGradients(
              this.model.drawStudentInputs(step, 'latent', 'fake-sigma', 'fake-noise'),
            );
            this.optimizers.fakeScore.applyGradients(fake.gradients);
            const critic = this.model.criticGradients(
              fake,
              this.model.drawNoisedReal(step),
              this.model.seed(step, 'penalty-noise'),
            );
            this.optimizers.discriminator.applyGradients(critic.gradients);
            const summary = tf.stack([fake.loss, critic.loss, critic.penalty ?? tf.scalar(0)]);
            critic.penalty?.dispose();
            return summary;
          })
        : await this.criticStepInSlices(step, this.shards);
    const [fakeScoreValue, discriminatorValue, r1Value] = Array.from(
      await losses.data(),
    ) as number[];
    losses.dispose();
    checkFinite(step, {
      'fake score loss': fakeScoreValue as number,
      'discriminator loss': discriminatorValue as number,
    });
    return {
      step,
      phase: 'critic',
      losses: { fakeScore: fakeScoreValue, discriminator: discriminatorValue, r1: r1Value },
      seconds: 0,
    };
  }

  /** A critic step computed in slices across threads; its losses stacked as one tensor. */
  private async criticStepInSlices(step: number, shards: DistillShards): Promise<tf.Tensor> {
    const { fakeScore, discriminator } = await criticGradientsInSlices(this.model, shards, step);
    this.optimizers.fakeScore.applyGradients(fakeScore.gradients);
    this.optimizers.discriminator.applyGradients(discriminator.gradients);
    const summary = tf.tidy(() =>
      tf.stack([fakeScore.loss, discriminator.loss, discriminator.penalty ?? tf.scalar(0)]),
    );
    disposeObject([fakeScore, discriminator]);
    return summary;
  }

  /**
   * Writes everything needed to resume bit for bit (networks, EMA, optimizer moments and steps,
   * ratio bins, step, seed, options) to `store` as one safetensors file (`checkpointFile(path)`
   * from `@fdistill/trainer/node` writes it atomically).
   */
  saveCheckpoint(store: CheckpointStore, extraState: Record<string, unknown> = {}): Promise<void> {
    return writeDistillerCheckpoint(store, this.state(), extraState);
  }

  /**
   * Restores a checkpoint written by `saveCheckpoint` and returns its state. With `warmStart`,
   * only the network weights are taken (e.g. from a reverse-KL run, paper's discriminator
   * warm-up): step, optimizers and ratio bins start fresh, and the divergence may differ.
   */
  loadCheckpoint(store: CheckpointStore, { warmStart = false } = {}): Record<string, unknown> {
    const state = readDistillerCheckpoint(store, this.state(), { warmStart });
    if (!warmStart) this.stepIndex = state.step as number;
    return state;
  }

  /** Multiplies the three learning rates by `factor` (a rollback halves them). */
  scaleLearningRates(factor: number): void {
    for (const optimizer of Object.values(this.optimizers)) optimizer.learningRate *= factor;
  }

  /** Frees the optimizers and the ratio bins (the networks belong to the caller). */
  dispose(): void {
    for (const optimizer of Object.values(this.optimizers)) optimizer.dispose();
    this.model.dispose();
  }

  /** The live state a checkpoint holds. */
  private state() {
    return {
      networks: this.networks,
      optimizers: this.optimizers,
      ...(this.model.ratioNormalizer ? { ratioNormalizer: this.model.ratioNormalizer } : {}),
      options: this.options,
      step: this.stepIndex,
    };
  }
}
