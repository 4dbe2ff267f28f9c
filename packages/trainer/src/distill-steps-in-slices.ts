import { DEFAULT_R1_PERTURBATION, r1PerturbationNoise } from '@fdistill/discriminator';
import { normalizeWeights } from '@fdistill/divergence';
import * as tf from '@tensorflow/tfjs-core';
import type { CriticBatch } from './critic-loss.js';
import type { DistillModel, GeneratorGradients, StudentDraws } from './distill-model.js';
import {
  type CriticSlice,
  type DistillShards,
  flatDistillParameters,
  rowsOf,
  rowsOfCriticBatch,
  rowsOfDraws,
  studentSliceOf,
} from './distill-shards.js';
import { shardSizes, weightedGradients, weightedSum } from './gradient-shards.js';
import { disposeObject, tidyObject } from './tensor-objects.js';

/** A critic step's losses and gradients (before the updates), whole-batch means. */
export interface CriticStepGradients {
  fakeScore: { loss: tf.Scalar; gradients: tf.NamedTensorMap };
  discriminator: { loss: tf.Scalar; gradients: tf.NamedTensorMap; penalty?: tf.Scalar };
}

/** The sizes of this thread's slice and of each helper's, and each slice's share of the batch. */
function sliceSizes(batch: number, shards: DistillShards) {
  const [own, ...helpers] = shardSizes(batch, shards.count + 1) as [number, ...number[]];
  const starts = helpers.map(
    (_, index) => own + helpers.slice(0, index).reduce((a, b) => a + b, 0),
  );
  const fractions = [own, ...helpers].map((size) => size / batch);
  return { own, helpers, starts, fractions };
}

/**
 * A critic step's losses and gradients computed in slices: this thread draws the step's student
 * inputs, real batch and R1 perturbation for the whole batch exactly as `Distiller` does on one
 * thread, hands each helper its rows and computes its own, then weights each slice's means by
 * its share of the batch. The critic's loss reads the student's samples and the frozen teacher,
 * never the fake score, so both gradients come from the same parameters in one pass.
 */
export async function criticGradientsInSlices(
  model: DistillModel,
  shards: DistillShards,
  step: number,
): Promise<CriticStepGradients> {
  const { batchSize, r1 } = model.options;
  const sizes = sliceSizes(batchSize, shards);
  const penaltySeed = model.seed(step, 'penalty-noise');
  const inputs = tidyObject(() => {
    const draws = model.drawStudentInputs(step, 'latent', 'fake-sigma', 'fake-noise');
    const real = model.drawNoisedReal(step);
    const perturbation =
      r1.gamma > 0 && r1.form === 'approximate'
        ? r1PerturbationNoise(real.noised.shape, DEFAULT_R1_PERTURBATION, penaltySeed)
        : undefined;
    return { draws, real, ...(perturbation === undefined ? {} : { perturbation }) };
  });
  const { draws, real, perturbation } = inputs;
  try {
    const slices = sizes.helpers.map((size, index) =>
      criticSliceOf(draws, real, perturbation, penaltySeed, sizes.starts[index] as number, size),
    );
    const pending = shards.critic(slices, flatDistillParameters(model.networks));
    const own = tidyObject(() => {
      const fake = model.fakeScoreGradients(rowsOfDraws(draws, 0, sizes.own));
      const critic = model.criticGradients(
        fake,
        rowsOfCriticBatch(real, 0, sizes.own),
        perturbation === undefined ? penaltySeed : rowsOf(perturbation, 0, sizes.own),
      );
      return { fake, critic };
    });
    let results: Awaited<typeof pending>;
    try {
      results = await pending;
    } catch (error) {
      disposeObject(own);
      throw error;
    }
    const { fractions } = sizes;
    const { networks } = model;
    const combined: CriticStepGradients = {
      fakeScore: {
        loss: weightedSum(
          own.fake.loss,
          results.map((result) => result.fakeScoreLoss),
          fractions,
        ),
        gradients: weightedGradients(
          networks.fakeScore.parameters(),
          own.fake.gradients,
          results.map((result) => result.fakeScoreGradients),
          fractions,
        ),
      },
      discriminator: {
        loss: weightedSum(
          own.critic.loss,
          results.map((result) => result.discriminatorLoss),
          fractions,
        ),
        gradients: weightedGradients(
          networks.discriminator.module.parameters(),
          own.critic.gradients,
          results.map((result) => result.discriminatorGradients),
          fractions,
        ),
        ...(own.critic.penalty === undefined
          ? {}
          : {
              penalty: weightedSum(
                own.critic.penalty,
                results.map((result) => result.penalty ?? 0),
                fractions,
              ),
            }),
      },
    };
    disposeObject(own);
    return combined;
  } finally {
    disposeObject(inputs);
  }
}

/** Rows of a critic step's inputs as plain arrays for a helper. */
function criticSliceOf(
  draws: StudentDraws,
  real: CriticBatch,
  perturbation: tf.Tensor | undefined,
  penaltySeed: number,
  start: number,
  size: number,
): CriticSlice {
  return tidyObject(() => {
    const rows = rowsOfCriticBatch(real, start, size);
    return {
      fake: studentSliceOf(draws, start, size),
      real: {
        noised: rows.noised.dataSync() as Float32Array,
        sigma: rows.sigma.dataSync() as Float32Array,
        ...(rows.labels === undefined
          ? {}
          : { labels: Int32Array.from(rows.labels.dataSync() as Int32Array) }),
      },
      ...(perturbation === undefined
        ? {}
        : { perturbation: rowsOf(perturbation, start, size).dataSync() as Float32Array }),
      penaltySeed,
    };
  });
}

/**
 * A generator step's loss and gradients computed in slices, in two phases so that the batch
 * statistics stay exact: each thread first computes its slice's teacher and fake-score
 * predictions and discriminator logits; this thread then turns the whole batch's logits into
 * ratios (advancing the ratio bins once, as on one thread), weights h and hbar = h / mean h;
 * then each thread computes its slice's loss gradient with its rows of hbar, weighted by its
 * share of the batch. Returns what `DistillModel.generatorGradients` returns.
 */
export async function generatorGradientsInSlices(
  model: DistillModel,
  shards: DistillShards,
  step: number,
): Promise<GeneratorGradients> {
  const { batchSize, weightNormalization } = model.options;
  const sizes = sliceSizes(batchSize, shards);
  const draws = tidyObject(() =>
    model.drawStudentInputs(step, 'latent', 'generator-sigma', 'generator-noise'),
  );
  const owned: object[] = [draws];
  try {
    const slices = sizes.helpers.map((size, index) =>
      studentSliceOf(draws, sizes.starts[index] as number, size),
    );
    const pendingLogits = shards.generatorLogits(slices, flatDistillParameters(model.networks));
    const ownDraws = tidyObject(() => rowsOfDraws(draws, 0, sizes.own));
    const ownTargets = model.generatorTargets(ownDraws);
    owned.push(ownDraws, ownTargets);
    const helperLogits = await pendingLogits;
    const { ratio, weight } = tf.tidy(() =>
      model.ratioAndWeight(
        tf.concat([ownTargets.logits, ...helperLogits.map((logits) => tf.tensor1d(logits))]),
        draws.sigma,
      ),
    );
    const normalized = weightNormalization ? normalizeWeights(weight) : tf.clone(weight);
    owned.push(normalized);
    const weights = await normalized.data();
    const pendingGradients = shards.generatorGradients(
      sizes.helpers.map((size, index) => {
        const start = sizes.starts[index] as number;
        return Float32Array.from(weights.subarray(start, start + size));
      }),
    );
    const ownWeights = rowsOf(normalized as tf.Tensor1D, 0, sizes.own);
    owned.push(ownWeights);
    const own = model.generatorLossGradients(ownDraws, ownTargets, ownWeights);
    let results: Awaited<typeof pendingGradients>;
    try {
      results = await pendingGradients;
    } catch (error) {
      disposeObject([ratio, weight, own]);
      throw error;
    }
    const { fractions } = sizes;
    const combined: GeneratorGradients = {
      loss: weightedSum(
        own.loss,
        results.map((result) => result.loss),
        fractions,
      ),
      fDistill: weightedSum(
        own.fDistill,
        results.map((result) => result.fDistill),
        fractions,
      ),
      gan: weightedSum(
        own.gan,
        results.map((result) => result.gan),
        fractions,
      ),
      gradients: weightedGradients(
        model.networks.student.parameters(),
        own.gradients,
        results.map((result) => result.gradients),
        fractions,
      ),
      ratio,
      weight,
    };
    disposeObject(own);
    return combined;
  } finally {
    disposeObject(owned);
  }
}
