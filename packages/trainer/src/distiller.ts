import { discriminatorLoss, generatorLoss } from '@fdistill/discriminator';
import { densityRatioFromLogits, normalizeWeights, RatioNormalizer } from '@fdistill/divergence';
import {
  broadcastPerSample,
  type Denoiser,
  denoisingScoreMatchingWeight,
  type EdmNetwork,
  type FeatureDenoiser,
  GuidedDenoiser,
  heunSampler,
  type Module,
  sampleTrainingSigmas,
  updateExponentialMovingAverage,
} from '@fdistill/score';
import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './adamw.js';
import type { CheckpointContent } from './checkpoint-bytes.js';
import { CheckpointError } from './checkpoint-error.js';
import { type CheckpointStore, readCheckpoint, writeCheckpoint } from './checkpoint-store.js';
import type { DataSource } from './data/data-source.js';
import type { DistillStepEvent } from './distill-events.js';
import {
  type DistillOptions,
  type ResolvedDistillOptions,
  resolveDistillOptions,
} from './distill-options.js';
import { fakeScoreLoss, fDistillLoss } from './distillation-losses.js';
import { clipByGlobalNorm } from './gradient-clipping.js';
import { cosineDecay } from './learning-rate-schedule.js';
import { checkFinite } from './non-finite.js';
import { type RandomStream, stepSeed } from './seeds.js';

/** A discriminator as the loop uses it: trainable head parameters and a mean logit per sample. */
export interface DistillDiscriminator {
  /** The trainable heads (the feature network, if any, stays frozen and outside this module). */
  readonly module: Module;
  /** Mean logit `ln(p/q)` estimate per sample [batch] for noised samples at sigma [batch]. */
  logits(noised: tf.Tensor, sigma: tf.Tensor1D, labels?: tf.Tensor1D): tf.Tensor1D;
  /** R1 penalty on noised real samples (mean over the batch), in the given form. */
  r1Penalty(
    noisedReal: tf.Tensor,
    sigma: tf.Tensor1D,
    form: 'approximate' | 'exact',
    seed: number,
    labels?: tf.Tensor1D,
  ): tf.Scalar;
  /**
   * The logits at the noised real samples and the R1 penalty (gamma 1) from one evaluation
   * there, when the discriminator can share it (a critic step then saves a forward pass).
   */
  realLogitsAndR1Penalty?(
    noisedReal: tf.Tensor,
    sigma: tf.Tensor1D,
    form: 'approximate' | 'exact',
    seed: number,
    labels?: tf.Tensor1D,
  ): { logits: tf.Tensor1D; penalty: tf.Scalar };
  /**
   * The frozen network whose feature taps the heads read, when there is one (image heads on the
   * teacher's encoder). When it is the run's teacher, a generator step gets the teacher's x0
   * prediction and the taps for the density ratio from one forward pass (`headLogits`).
   */
  readonly featureNetwork?: FeatureDenoiser;
  /** Mean logit per sample [batch] from taps of `featureNetwork` (what `logits` computes after it). */
  headLogits?(features: Record<string, tf.Tensor>): tf.Tensor1D;
}

/** The networks of an f-distill run. */
export interface DistillNetworks {
  /** Frozen teacher: a learned EDM network or the exact mixture. */
  teacher: Denoiser;
  /** One-step student G(z) = D(sigma_max z; sigma_max), trained. */
  student: EdmNetwork;
  /** Fake score D_psi of the student's distribution, trained. */
  fakeScore: EdmNetwork;
  /** Discriminator whose logit gives the density ratio, trained. */
  discriminator: DistillDiscriminator;
  /** EMA copy of the student (same architecture), updated after each generator step. */
  studentEma?: EdmNetwork;
}

/** Checkpoint tensor prefixes of each network. */
const PREFIX = {
  student: 'student.',
  fakeScore: 'fake-score.',
  discriminator: 'discriminator.',
  studentEma: 'student-ema.',
  optimizer: 'optimizer.',
} as const;

/**
 * f-distill training (paper Algorithm 1). Step k updates the generator when
 * `k % tau == 0` with `L_fdistill + w_GAN L_GAN`, where each sample's score difference is
 * weighted by `hbar = h(r) / mean h(r)` and r comes from the discriminator's logit, normalized
 * per sigma bin; otherwise it updates the fake score (x0 MSE on the detached student output) and
 * the discriminator (logistic loss + R1). Every random draw derives from the seed and the step,
 * so `saveCheckpoint` + `loadCheckpoint` resume bit for bit.
 *
 * @example
 * const distiller = new Distiller({ teacher, student, fakeScore, discriminator }, data, {
 *   divergence: getDivergence('js'), batchSize: 256 });
 * for (let i = 0; i < 1000; i++) distiller.step();
 */
export class Distiller {
  readonly options: ResolvedDistillOptions;
  private stepIndex = 0;
  private readonly optimizers: { generator: AdamW; fakeScore: AdamW; discriminator: AdamW };
  private readonly ratioNormalizer?: RatioNormalizer;
  /** The teacher, with classifier-free guidance when `guidanceScale` is not 1. */
  private readonly teacher: Denoiser;

  constructor(
    readonly networks: DistillNetworks,
    readonly data: DataSource,
    options: DistillOptions,
  ) {
    this.options = resolveDistillOptions(options);
    this.teacher =
      this.options.guidanceScale === 1
        ? networks.teacher
        : new GuidedDenoiser(networks.teacher, this.options.guidanceScale);
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
    if (this.options.ratioNormalization !== false) {
      this.ratioNormalizer = new RatioNormalizer({
        ...this.options.ratioNormalization,
        sigmaMin: this.options.sigmaMin,
        sigmaMax: this.options.sigmaMax,
      });
    }
  }

  /** Number of steps taken so far (the index of the next step). */
  get steps(): number {
    return this.stepIndex;
  }

  /** One-step generation: `G(z) = D_student(sigma_max z; sigma_max)`. */
  generate(
    latent: tf.Tensor,
    labels?: tf.Tensor1D,
    network: EdmNetwork = this.networks.student,
  ): tf.Tensor {
    const { sigmaMax } = this.options;
    return tf.tidy(() => network.denoise(tf.mul(latent, sigmaMax), sigmaMax, labels));
  }

  /** Takes step `steps` (a generator or a critic step) and reports it. */
  step(): DistillStepEvent {
    const started = performance.now();
    const step = this.stepIndex;
    const event =
      step % this.options.fakeUpdateFrequency === 0
        ? this.generatorStep(step)
        : this.criticStep(step);
    this.stepIndex += 1;
    event.seconds = (performance.now() - started) / 1000;
    return event;
  }

  /** The seed of a random stream at a step. */
  private seed(step: number, stream: RandomStream): number {
    return stepSeed(this.options.seed, step, stream);
  }

  /** One training noise level per sample (Karras grid, FastGen's polynomial sampling). */
  private trainingSigmas(seed: number): tf.Tensor1D {
    const { batchSize, sigmaMin, sigmaMax } = this.options;
    return sampleTrainingSigmas(batchSize, seed, { sigmaMin, sigmaMax });
  }

  /** Latents, labels, noise levels and noise of a step's student samples, from three streams. */
  private drawStudentInputs(
    step: number,
    latentStream: RandomStream,
    sigmaStream: RandomStream,
    noiseStream: RandomStream,
  ) {
    const { batchSize } = this.options;
    const shape = [batchSize, ...this.data.sampleShape];
    const latent = tf.randomNormal(shape, 0, 1, 'float32', this.seed(step, latentStream));
    const classCount = this.data.classCount;
    const labels =
      classCount === undefined
        ? undefined
        : (tf.cast(
            tf.minimum(
              tf.floor(
                tf.randomUniform([batchSize], 0, classCount, 'float32', this.seed(step, 'labels')),
              ),
              classCount - 1,
            ),
            'int32',
          ) as tf.Tensor1D);
    const sigma = this.trainingSigmas(this.seed(step, sigmaStream));
    const noise = tf.randomNormal(shape, 0, 1, 'float32', this.seed(step, noiseStream));
    return { latent, labels, sigma, noise };
  }

  /**
   * One fake-score update on noised student samples (generator detached); returns the loss, the
   * noised samples and their noise levels and labels (the discriminator's fake batch).
   */
  private fakeScoreUpdate(inputs: ReturnType<Distiller['drawStudentInputs']>) {
    const { fakeScore } = this.networks;
    const { latent, labels, sigma, noise } = inputs;
    const generated = this.generate(latent, labels);
    const noised = tf.add(generated, tf.mul(broadcastPerSample(sigma, latent.rank), noise));
    const weights =
      this.options.fakeScoreWeighting === 'edm'
        ? (denoisingScoreMatchingWeight(sigma, fakeScore.sigmaData) as tf.Tensor1D)
        : undefined;
    const { value, grads } = tf.variableGrads(
      () => fakeScoreLoss(fakeScore.denoise(noised, sigma, labels), generated, weights),
      fakeScore.parameters(),
    );
    this.optimizers.fakeScore.applyGradients(grads);
    return { loss: value, noised, sigma, labels };
  }

  /**
   * Fits the fake score to the initial student for `steps` updates before distilling (for a
   * fresh fake network, e.g. with an analytic teacher). Returns the last loss.
   */
  prefitFakeScore(steps: number): number {
    let loss = Number.NaN;
    for (let step = 0; step < steps; step++) {
      const value = tf.tidy(
        () =>
          this.fakeScoreUpdate(
            this.drawStudentInputs(step, 'prefit-latent', 'prefit-sigma', 'prefit-noise'),
          ).loss,
      );
      loss = value.dataSync()[0] as number;
      value.dispose();
      checkFinite(step, { 'fake score prefit loss': loss });
    }
    return loss;
  }

  /**
   * Warm-starts the student before distilling by regressing it on the teacher's deterministic
   * sampler: `pairs` latents z (their own seed stream) are solved by Heun on `solverSteps` Karras
   * steps to x(z), then the student's `G(z)` is fitted to x(z) by mean squared error for `steps`
   * updates of `batchSize` pairs (a fresh AdamW from `learningRate`, default the generator's, down
   * to 0 on a cosine schedule, freed after).
   * The EMA student is then set to the student. This is DMD's regression loss (Yin et al. 2024)
   * used as initialization: the analogue of copying the teacher's weights when the teacher is an
   * exact density with no network to copy. Call it before `prefitFakeScore`. Returns the last loss.
   *
   * @example distiller.warmStartStudent({ steps: 1000, pairs: 16384 });
   */
  warmStartStudent({
    steps,
    pairs,
    solverSteps = 18,
    learningRate = this.options.learningRates.generator,
  }: {
    steps: number;
    pairs: number;
    solverSteps?: number;
    learningRate?: number;
  }): number {
    assertIntegerAtLeast('warmStartStudent: steps', steps, 1);
    assertIntegerAtLeast('warmStartStudent: pairs', pairs, 1);
    assertIntegerAtLeast('warmStartStudent: solverSteps', solverSteps, 1);
    assertPositiveNumber('warmStartStudent: learningRate', learningRate);
    if (this.data.classCount !== undefined) {
      throw new Error('warmStartStudent: class-conditional students are not supported');
    }
    const { batchSize, sigmaMin, sigmaMax, weightDecay, betas } = this.options;
    const { student, studentEma } = this.networks;
    const latents = tf.randomNormal(
      [pairs, ...this.data.sampleShape],
      0,
      1,
      'float32',
      this.seed(0, 'warm-start-latent'),
    );
    const { samples: targets } = heunSampler(this.teacher, {
      noise: latents,
      steps: solverSteps,
      sigmaMin,
      sigmaMax,
    });
    const optimizer = new AdamW(student.namedParameters(), {
      learningRate,
      weightDecay,
      beta1: betas[0],
      beta2: betas[1],
    });
    let loss = Number.NaN;
    try {
      for (let step = 0; step < steps; step++) {
        optimizer.learningRate = cosineDecay(learningRate, step / steps);
        const value = tf.tidy(() => {
          const indices = tf.randomUniformInt(
            [batchSize],
            0,
            pairs,
            this.seed(step, 'warm-start-batch'),
          );
          const latent = tf.gather(latents, indices);
          const target = tf.gather(targets, indices);
          const { value, grads } = tf.variableGrads(
            () => tf.mean(tf.square(tf.sub(this.generate(latent), target))) as tf.Scalar,
            student.parameters(),
          );
          optimizer.applyGradients(grads);
          return value;
        });
        loss = value.dataSync()[0] as number;
        value.dispose();
        checkFinite(step, { 'student warm-start loss': loss });
      }
    } finally {
      optimizer.dispose();
      tf.dispose([latents, targets]);
    }
    studentEma?.copyParametersFrom(student);
    return loss;
  }

  /**
   * The weighting of a fresh batch of `count` student samples, per sample (paper Fig. 6): the
   * noise level, the normalized density ratio r, h(r), and the norm of the score difference
   * `|s_teacher - s_fake| = |T - F| / sigma^2` on the noised sample. Draws from its own seed,
   * not the run's streams; advances the ratio bins as a generator step does.
   *
   * @example const { weight, scoreDifference } = distiller.weightingOfSamples(2048, 7);
   */
  weightingOfSamples(
    count: number,
    seed: number,
  ): { sigma: number[]; ratio: number[]; weight: number[]; scoreDifference: number[] } {
    assertIntegerAtLeast('weightingOfSamples: count', count, 1);
    if (this.data.classCount !== undefined) {
      throw new Error('weightingOfSamples: class-conditional runs are not supported');
    }
    const { fakeScore } = this.networks;
    const { sigmaMin, sigmaMax, densityRatio, divergence } = this.options;
    const columns = tf.tidy(() => {
      const shape = [count, ...this.data.sampleShape];
      const latent = tf.randomNormal(shape, 0, 1, 'float32', stepSeed(seed, 0, 'latent'));
      const sigma = sampleTrainingSigmas(count, stepSeed(seed, 0, 'generator-sigma'), {
        sigmaMin,
        sigmaMax,
      });
      const spread = broadcastPerSample(sigma, latent.rank);
      const noise = tf.randomNormal(shape, 0, 1, 'float32', stepSeed(seed, 0, 'generator-noise'));
      const noised = tf.add(this.generate(latent), tf.mul(spread, noise));
      const { teacherX0, logits } = this.teacherAndLogits(noised, sigma);
      const difference = tf.sub(teacherX0, fakeScore.denoise(noised, sigma));
      const axes = difference.shape.slice(1).map((_, index) => index + 1);
      const scoreDifference = tf.div(
        tf.sqrt(tf.sum(tf.square(difference), axes)),
        tf.square(sigma),
      );
      const clipped = densityRatioFromLogits(logits, densityRatio);
      const ratio = this.ratioNormalizer ? this.ratioNormalizer.normalize(clipped, sigma) : clipped;
      return [sigma, ratio, divergence.hTensor(ratio), scoreDifference].map(
        (column) => Array.from(column.dataSync()) as number[],
      );
    });
    const [sigma, ratio, weight, scoreDifference] = columns as [
      number[],
      number[],
      number[],
      number[],
    ];
    return { sigma, ratio, weight, scoreDifference };
  }

  /**
   * The generator's loss and gradients at a step (before clipping), with the loss terms, the
   * normalized ratio and the weighting h. The caller disposes everything returned. Calling it
   * advances the ratio bins, as a generator step does.
   */
  generatorGradients(step: number) {
    const { fakeScore, discriminator } = this.networks;
    const { divergence, densityRatio, ganWeight, fDistillWeight } = this.options;
    // Loss terms made inside tf.variableGrads are freed with it: keep them.
    const kept: { fDistill?: tf.Scalar; gan?: tf.Scalar } = {};
    const result = tf.tidy(() => {
      const { latent, labels, sigma, noise } = this.drawStudentInputs(
        step,
        'latent',
        'generator-sigma',
        'generator-noise',
      );
      const spread = broadcastPerSample(sigma, latent.rank);
      // Everything that carries no gradient is computed outside the tape: the teacher's and the
      // fake score's x0 predictions and the weights hbar from the discriminator's ratio.
      const noisedOutside = tf.add(this.generate(latent, labels), tf.mul(spread, noise));
      const { teacherX0, logits: outsideLogits } = this.teacherAndLogits(
        noisedOutside,
        sigma,
        labels,
      );
      const fakeX0 = fakeScore.denoise(noisedOutside, sigma, labels);
      const clipped = densityRatioFromLogits(outsideLogits, densityRatio);
      const ratio = this.ratioNormalizer ? this.ratioNormalizer.normalize(clipped, sigma) : clipped;
      const weight = divergence.hTensor(ratio) as tf.Tensor1D;
      const normalizedWeight = this.options.weightNormalization ? normalizeWeights(weight) : weight;
      const { value, grads } = tf.variableGrads(() => {
        const generated = this.generate(latent, labels);
        const logits = discriminator.logits(
          tf.add(generated, tf.mul(spread, noise)),
          sigma,
          labels,
        );
        const fDistill = tf.keep(fDistillLoss(generated, teacherX0, fakeX0, normalizedWeight));
        const gan = tf.keep(generatorLoss(logits));
        Object.assign(kept, { fDistill, gan });
        return tf.add(tf.mul(fDistill, fDistillWeight), tf.mul(gan, ganWeight)) as tf.Scalar;
      }, this.networks.student.parameters());
      return { loss: value, gradients: grads, ratio, weight };
    });
    return { ...result, fDistill: kept.fDistill as tf.Scalar, gan: kept.gan as tf.Scalar };
  }

  /**
   * The teacher's x0 prediction and the discriminator's logits at `noised`: one teacher forward
   * pass for both when the heads read the teacher's own taps, otherwise one call each.
   */
  private teacherAndLogits(noised: tf.Tensor, sigma: tf.Tensor1D, labels?: tf.Tensor1D) {
    const { discriminator } = this.networks;
    const { featureNetwork, headLogits } = discriminator;
    if (featureNetwork !== undefined && featureNetwork === this.teacher && headLogits) {
      const { denoised, features } = featureNetwork.denoiseWithFeatures(noised, sigma, labels);
      return { teacherX0: denoised, logits: headLogits.call(discriminator, features) };
    }
    return {
      teacherX0: this.teacher.denoise(noised, sigma, labels),
      logits: discriminator.logits(noised, sigma, labels),
    };
  }

  private generatorStep(step: number): DistillStepEvent {
    const result = this.generatorGradients(step);
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
    const values = Array.from(summary.dataSync());
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

  private criticStep(step: number): DistillStepEvent {
    const { discriminator } = this.networks;
    const { r1, batchSize } = this.options;
    const losses = tf.tidy(() => {
      const fake = this.fakeScoreUpdate(
        this.drawStudentInputs(step, 'latent', 'fake-sigma', 'fake-noise'),
      );
      const real = this.data.sample(batchSize, this.seed(step, 'real-data'));
      const realSigma = this.trainingSigmas(this.seed(step, 'real-sigma'));
      const realNoise = tf.randomNormal(
        real.x.shape,
        0,
        1,
        'float32',
        this.seed(step, 'real-noise'),
      );
      const noisedReal = tf.add(
        real.x,
        tf.mul(broadcastPerSample(realSigma, real.x.rank), realNoise),
      );
      // The penalty is made inside tf.variableGrads, which frees all but its result: keep it.
      let penalty: tf.Scalar | undefined;
      const critic = tf.variableGrads(() => {
        const fakeLogits = discriminator.logits(fake.noised, fake.sigma, fake.labels);
        const penaltySeed = this.seed(step, 'penalty-noise');
        const shared =
          r1.gamma === 0
            ? undefined
            : discriminator.realLogitsAndR1Penalty?.(
                noisedReal,
                realSigma,
                r1.form,
                penaltySeed,
                real.labels,
              );
        const realLogits =
          shared?.logits ?? discriminator.logits(noisedReal, realSigma, real.labels);
        const logistic = discriminatorLoss(realLogits, fakeLogits);
        if (r1.gamma === 0) return logistic;
        penalty = tf.keep(
          shared?.penalty ??
            discriminator.r1Penalty(noisedReal, realSigma, r1.form, penaltySeed, real.labels),
        );
        return tf.add(logistic, tf.mul(penalty, r1.gamma)) as tf.Scalar;
      }, discriminator.module.parameters());
      this.optimizers.discriminator.applyGradients(critic.grads);
      const summary = tf.stack([fake.loss, critic.value, penalty ?? tf.scalar(0)]);
      penalty?.dispose();
      return summary;
    });
    const [fakeScoreValue, discriminatorValue, r1Value] = Array.from(losses.dataSync()) as number[];
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

  /** Every tensor of the run's state by checkpoint name (live variables, not copies). */
  private stateTensors(): Map<string, tf.Tensor> {
    const tensors = new Map<string, tf.Tensor>();
    const add = (prefix: string, entries: Iterable<[string, tf.Tensor]>) => {
      for (const [name, tensor] of entries) tensors.set(`${prefix}${name}`, tensor);
    };
    const { student, fakeScore, discriminator, studentEma } = this.networks;
    add(PREFIX.student, student.stateDict());
    add(PREFIX.fakeScore, fakeScore.stateDict());
    add(PREFIX.discriminator, discriminator.module.stateDict());
    if (studentEma) add(PREFIX.studentEma, studentEma.stateDict());
    for (const [role, optimizer] of Object.entries(this.optimizers)) {
      add(`${PREFIX.optimizer}${role}.`, optimizer.getState().moments);
    }
    return tensors;
  }

  /**
   * Writes everything needed to resume bit for bit (networks, EMA, optimizer moments and steps,
   * ratio bins, step, seed, options) to `store` as one safetensors file (`checkpointFile(path)`
   * from `@fdistill/trainer/node` writes it atomically).
   */
  saveCheckpoint(store: CheckpointStore, extraState: Record<string, unknown> = {}): void {
    const { divergence, ...rest } = this.options;
    writeCheckpoint(store, {
      tensors: this.stateTensors(),
      state: {
        ...extraState,
        step: this.stepIndex,
        divergence: divergence.name,
        options: rest,
        optimizerSteps: Object.fromEntries(
          Object.entries(this.optimizers).map(([role, optimizer]) => [role, optimizer.steps]),
        ),
        learningRates: Object.fromEntries(
          Object.entries(this.optimizers).map(([role, optimizer]) => [
            role,
            optimizer.learningRate,
          ]),
        ),
        ratioNormalizer: this.ratioNormalizer?.getState() ?? null,
      },
    });
  }

  /**
   * Restores a checkpoint written by `saveCheckpoint` and returns its state. With `warmStart`,
   * only the network weights are taken (e.g. from a reverse-KL run, paper's discriminator
   * warm-up): step, optimizers and ratio bins start fresh, and the divergence may differ.
   */
  loadCheckpoint(store: CheckpointStore, { warmStart = false } = {}): Record<string, unknown> {
    const content: CheckpointContent = readCheckpoint(store);
    try {
      const state = content.state;
      if (!warmStart && state.divergence !== this.options.divergence.name) {
        throw new CheckpointError(
          `loadCheckpoint: ${store.name} was trained with divergence "${String(state.divergence)}", this run uses "${this.options.divergence.name}" (use warmStart to start from it)`,
        );
      }
      const take = (prefix: string) =>
        new Map(
          [...content.tensors]
            .filter(([name]) => name.startsWith(prefix))
            .map(([name, tensor]) => [name.slice(prefix.length), tensor]),
        );
      const { student, fakeScore, discriminator, studentEma } = this.networks;
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
      for (const [role, optimizer] of Object.entries(this.optimizers)) {
        optimizer.setState({
          steps: steps[role] as number,
          moments: take(`${PREFIX.optimizer}${role}.`),
        });
        optimizer.learningRate = learningRates[role] as number;
      }
      if (this.ratioNormalizer && state.ratioNormalizer) {
        this.ratioNormalizer.setState(
          state.ratioNormalizer as Parameters<RatioNormalizer['setState']>[0],
        );
      }
      this.stepIndex = state.step as number;
      return state;
    } finally {
      tf.dispose([...content.tensors.values()]);
    }
  }

  /** Multiplies the three learning rates by `factor` (a rollback halves them). */
  scaleLearningRates(factor: number): void {
    for (const optimizer of Object.values(this.optimizers)) optimizer.learningRate *= factor;
  }

  /** Frees the optimizers and the ratio bins (the networks belong to the caller). */
  dispose(): void {
    for (const optimizer of Object.values(this.optimizers)) optimizer.dispose();
    this.ratioNormalizer?.dispose();
  }
}
