import { heunSampler } from '@fdistill/score';
import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './adamw.js';
import type { DistillModel } from './distill-model.js';
import { cosineDecay } from './learning-rate-schedule.js';
import { checkFinite } from './non-finite.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/** How the student is fitted to the teacher's sampler before distilling (`warmStartStudent`). */
export interface StudentWarmStart {
  /** Updates of the regression. */
  steps: number;
  /** Latent/sample pairs solved by the teacher. */
  pairs: number;
  /** Heun steps of the teacher's sampler; default 18. */
  solverSteps?: number;
  /** Peak learning rate (cosine-decayed to 0); default the generator's. */
  learningRate?: number;
  /** Stops the regression after the current update when aborted (Ctrl-C); the EMA is left as it was. */
  signal?: AbortSignal;
}

/**
 * Warm-starts the student by regressing it on the teacher's deterministic sampler: `pairs`
 * latents z (their own seed stream) are solved by Heun on `solverSteps` Karras steps to x(z),
 * then the student's `G(z)` is fitted to x(z) by mean squared error for `steps` updates of a
 * batch of pairs (a fresh AdamW, freed after, down to 0 on a cosine schedule). The EMA student
 * is then set to the student. This is DMD's regression loss (Yin et al. 2024) used as
 * initialization: the analogue of copying the teacher's weights when the teacher is an exact
 * density with no network to copy. Returns the last loss.
 *
 * @example await warmStartStudent(model, { steps: 1000, pairs: 16384 });
 */
export async function warmStartStudent(
  model: DistillModel,
  settings: StudentWarmStart,
): Promise<number> {
  const {
    steps,
    pairs,
    solverSteps = 18,
    learningRate = model.options.learningRates.generator,
    signal,
  } = settings;
  assertIntegerAtLeast('warmStartStudent: steps', steps, 1);
  assertIntegerAtLeast('warmStartStudent: pairs', pairs, 1);
  assertIntegerAtLeast('warmStartStudent: solverSteps', solverSteps, 1);
  assertPositiveNumber('warmStartStudent: learningRate', learningRate);
  if (model.data.classCount !== undefined) {
    throw new Error(
      'warmStartStudent: class-conditional students draw their pairs per label: use regressStudentOnPairs',
    );
  }
  const { sigmaMin, sigmaMax } = model.options;
  const latents = tf.randomNormal(
    [pairs, ...model.data.sampleShape],
    0,
    1,
    'float32',
    model.seed(0, 'warm-start-latent'),
  );
  const { samples: targets } = heunSampler(model.teacher, {
    noise: latents,
    steps: solverSteps,
    sigmaMin,
    sigmaMax,
  });
  try {
    return await regressStudentOnPairs(
      model,
      { latents, targets },
      { steps, learningRate, ...(signal ? { signal } : {}) },
    );
  } finally {
    tf.dispose([latents, targets]);
  }
}

/** Noise-to-sample pairs of a teacher's deterministic sampler, the student's regression targets. */
export interface SamplerPairs {
  /** z ~ N(0, I) [N, ...sampleShape]: the student's input for pair i. */
  latents: tf.Tensor;
  /** The class of pair i, int32 [N], for a class-conditional student. */
  labels?: tf.Tensor1D;
  /** The teacher's sampler output from `latents[i] * sigmaMax` (for `labels[i]`) [N, ...sampleShape]. */
  targets: tf.Tensor;
}

/** How `regressStudentOnPairs` fits the student to sampler pairs. */
export interface PairRegression {
  /** Updates of the regression. */
  steps: number;
  /** Peak learning rate (cosine-decayed to 0); default the generator's. */
  learningRate?: number;
  /** Stops the regression after the current update when aborted; the EMA is left as it was. */
  signal?: AbortSignal;
  /** Called after each update with the updates done and the batch's loss. */
  onUpdate?: (done: number, loss: number) => void;
}

/**
 * Fits the student's `G(z)` (for the pair's label, if any) to given sampler pairs by mean squared
 * error for `steps` updates of a batch of pairs (`options.batchSize` drawn with replacement, a
 * fresh AdamW from `learningRate` cosine-decayed to 0, freed after), then sets the EMA student to
 * the student: DMD's regression loss used as initialization, with pairs drawn once (and cached)
 * by the caller. The pairs stay the caller's. It yields to the event loop after every update;
 * once `signal` is aborted it stops there and leaves the EMA as it was. Returns the last loss.
 *
 * @example await regressStudentOnPairs(model, { latents, labels, targets }, { steps: 1500, learningRate: 2e-4 });
 */
export async function regressStudentOnPairs(
  model: DistillModel,
  pairs: SamplerPairs,
  settings: PairRegression,
): Promise<number> {
  const {
    steps,
    learningRate = model.options.learningRates.generator,
    signal,
    onUpdate,
  } = settings;
  assertIntegerAtLeast('regressStudentOnPairs: steps', steps, 1);
  assertPositiveNumber('regressStudentOnPairs: learningRate', learningRate);
  const count = pairs.latents.shape[0] as number;
  if (pairs.targets.shape[0] !== count || (pairs.labels && pairs.labels.shape[0] !== count)) {
    throw new RangeError(
      `regressStudentOnPairs: latents, labels and targets must have one row per pair (${count})`,
    );
  }
  if ((model.data.classCount !== undefined) !== (pairs.labels !== undefined)) {
    throw new RangeError(
      'regressStudentOnPairs: pairs.labels must be given exactly when the student is class-conditional',
    );
  }
  const { batchSize, weightDecay, betas } = model.options;
  const { student, studentEma } = model.networks;
  const optimizer = new AdamW(student.namedParameters(), {
    learningRate,
    weightDecay,
    beta1: betas[0],
    beta2: betas[1],
  });
  let loss = Number.NaN;
  try {
    for (let step = 0; step < steps; step++) {
      if (signal?.aborted) return loss;
      optimizer.learningRate = cosineDecay(learningRate, step / steps);
      const value = tf.tidy(() => {
        const indices = tf.randomUniformInt(
          [batchSize],
          0,
          count,
          model.seed(step, 'warm-start-batch'),
        );
        const latent = tf.gather(pairs.latents, indices);
        const target = tf.gather(pairs.targets, indices);
        const labels = pairs.labels && (tf.gather(pairs.labels, indices) as tf.Tensor1D);
        const { value, grads } = tf.variableGrads(
          () => tf.mean(tf.square(tf.sub(model.generate(latent, labels), target))) as tf.Scalar,
          student.parameters(),
        );
        optimizer.applyGradients(grads);
        return value;
      });
      loss = (await value.data())[0] as number;
      value.dispose();
      checkFinite(step, { 'student warm-start loss': loss });
      onUpdate?.(step + 1, loss);
      await yieldToEventLoop();
    }
  } finally {
    optimizer.dispose();
  }
  studentEma?.copyParametersFrom(student);
  return loss;
}

/**
 * Fits the fake score to the current student for `steps` updates with the run's fake-score
 * `optimizer` (its own seed streams), before distilling: for a fresh fake network, e.g. with an
 * analytic teacher, or a fake score copied from a teacher that the warm-started student no
 * longer matches. An aborted `signal` stops it after the current update. Returns the last loss.
 *
 * @example await prefitFakeScore(model, optimizers.fakeScore, 500);
 */
export async function prefitFakeScore(
  model: DistillModel,
  optimizer: AdamW,
  steps: number,
  signal?: AbortSignal,
): Promise<number> {
  let loss = Number.NaN;
  for (let step = 0; step < steps; step++) {
    if (signal?.aborted) return loss;
    const value = tf.tidy(() => {
      const update = model.fakeScoreGradients(
        model.drawStudentInputs(step, 'prefit-latent', 'prefit-sigma', 'prefit-noise'),
      );
      optimizer.applyGradients(update.gradients);
      return update.loss;
    });
    loss = (await value.data())[0] as number;
    value.dispose();
    checkFinite(step, { 'fake score prefit loss': loss });
    await yieldToEventLoop();
  }
  return loss;
}
