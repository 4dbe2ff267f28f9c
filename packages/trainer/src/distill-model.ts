import { densityRatioFromLogits, normalizeWeights, RatioNormalizer } from '@fdistill/divergence';
import {
  broadcastPerSample,
  type Denoiser,
  denoisingScoreMatchingWeight,
  type EdmNetwork,
  GuidedDenoiser,
  sampleTrainingSigmas,
} from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { type CriticBatch, criticLoss } from './critic-loss.js';
import type { DataSource } from './data/data-source.js';
import type { DistillNetworks, R1Perturbation } from './distill-networks.js';
import type { ResolvedDistillOptions } from './distill-options.js';
import { fakeScoreLoss } from './fake-score-loss.js';
import { distillGeneratorLoss } from './generator-loss.js';
import { type RandomStream, stepSeed } from './seeds.js';

/** The random inputs of a step's student samples (`DistillModel.drawStudentInputs`). */
export interface StudentDraws {
  /** Latents z [batch, ...sample shape]. */
  latent: tf.Tensor;
  /** Class labels [batch] of a class-conditional run. */
  labels?: tf.Tensor1D;
  /** Training noise levels [batch]. */
  sigma: tf.Tensor1D;
  /** Noise eps [batch, ...sample shape]. */
  noise: tf.Tensor;
}

/** The generator's loss and gradients at a step (`DistillModel.generatorGradients`). */
export interface GeneratorGradients {
  /** The total loss `fDistillWeight * fDistill + ganWeight * gan`. */
  loss: tf.Scalar;
  /** Its gradients by student variable name (before clipping). */
  gradients: tf.NamedTensorMap;
  /** The f-distill term. */
  fDistill: tf.Scalar;
  /** The GAN term. */
  gan: tf.Scalar;
  /** The density ratio per sample after clamp, clip and stage-one normalization. */
  ratio: tf.Tensor1D;
  /** h(ratio) per sample, before the batch normalization. */
  weight: tf.Tensor1D;
}

/** What a generator step reads at its noised student samples without a gradient (`DistillModel.generatorTargets`). */
export interface GeneratorTargets {
  /** The teacher's x0 prediction T. */
  teacherX0: tf.Tensor;
  /** The fake score's x0 prediction F. */
  fakeX0: tf.Tensor;
  /** The discriminator's mean logit per sample [batch]. */
  logits: tf.Tensor1D;
}

/**
 * `count` class labels drawn uniformly from 0..classCount-1 with `seed` (int32).
 *
 * @example const labels = uniformLabels(16, 10, stepSeed(0, 3, 'labels'));
 */
export function uniformLabels(count: number, classCount: number, seed: number): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.cast(
        tf.minimum(
          tf.floor(tf.randomUniform([count], 0, classCount, 'float32', seed)),
          classCount - 1,
        ),
        'int32',
      ) as tf.Tensor1D,
  );
}

/**
 * The networks of an f-distill run as the losses see them (what DMD2 keeps in its unified
 * model): the random draws of each step from the run's seed, one-step generation, the teacher's
 * x0 and the discriminator's logits, the per-sample weights h(r), and the loss gradients of the
 * three trained networks. It applies no update: `Distiller` owns the optimizers and the order.
 */
export class DistillModel {
  /** The teacher, with classifier-free guidance when `guidanceScale` is not 1. */
  readonly teacher: Denoiser;
  /** Stage-one ratio normalization (the sigma bins, part of the checkpoint), unless switched off. */
  readonly ratioNormalizer?: RatioNormalizer;

  constructor(
    readonly networks: DistillNetworks,
    readonly data: DataSource,
    readonly options: ResolvedDistillOptions,
  ) {
    this.teacher =
      options.guidanceScale === 1
        ? networks.teacher
        : new GuidedDenoiser(networks.teacher, options.guidanceScale);
    if (options.ratioNormalization !== false) {
      this.ratioNormalizer = new RatioNormalizer({
        ...options.ratioNormalization,
        sigmaMin: options.sigmaMin,
        sigmaMax: options.sigmaMax,
      });
    }
  }

  /** The seed of a random stream at a step. */
  seed(step: number, stream: RandomStream): number {
    return stepSeed(this.options.seed, step, stream);
  }

  /** One-step generation: `G(z) = D(sigma_max z; sigma_max)` of `network` (default the student). */
  generate(
    latent: tf.Tensor,
    labels?: tf.Tensor1D,
    network: EdmNetwork = this.networks.student,
  ): tf.Tensor {
    const { sigmaMax } = this.options;
    return tf.tidy(() => network.denoise(tf.mul(latent, sigmaMax), sigmaMax, labels));
  }

  /** `count` training noise levels (Karras grid, FastGen's polynomial sampling) from `seed`. */
  private trainingSigmas(count: number, seed: number): tf.Tensor1D {
    const { sigmaMin, sigmaMax } = this.options;
    return sampleTrainingSigmas(count, seed, { sigmaMin, sigmaMax });
  }

  /** Latents, labels, noise levels and noise of a step's student samples, from three streams. */
  drawStudentInputs(
    step: number,
    latentStream: RandomStream,
    sigmaStream: RandomStream,
    noiseStream: RandomStream,
  ): StudentDraws {
    const { batchSize } = this.options;
    const shape = [batchSize, ...this.data.sampleShape];
    const latent = tf.randomNormal(shape, 0, 1, 'float32', this.seed(step, latentStream));
    const classCount = this.data.classCount;
    const labels =
      classCount === undefined
        ? undefined
        : uniformLabels(batchSize, classCount, this.seed(step, 'labels'));
    const sigma = this.trainingSigmas(batchSize, this.seed(step, sigmaStream));
    const noise = tf.randomNormal(shape, 0, 1, 'float32', this.seed(step, noiseStream));
    return { latent, labels, sigma, noise };
  }

  /** A step's real batch, noised with its own noise levels and noise (the critic's real side). */
  drawNoisedReal(step: number): CriticBatch {
    const { batchSize } = this.options;
    const real = this.data.sample(batchSize, this.seed(step, 'real-data'));
    const sigma = this.trainingSigmas(batchSize, this.seed(step, 'real-sigma'));
    const noise = tf.randomNormal(real.x.shape, 0, 1, 'float32', this.seed(step, 'real-noise'));
    const noised = tf.add(real.x, tf.mul(broadcastPerSample(sigma, real.x.rank), noise));
    return { noised, sigma, labels: real.labels };
  }

  /**
   * The teacher's x0 prediction and the discriminator's logits at `noised`: one teacher forward
   * pass for both when the heads read the teacher's own taps (two with guidance: the conditional
   * pass gives the taps, the null-label pass the guided x0), otherwise one call each.
   */
  teacherAndLogits(
    noised: tf.Tensor,
    sigma: tf.Tensor1D,
    labels?: tf.Tensor1D,
  ): { teacherX0: tf.Tensor; logits: tf.Tensor1D } {
    const { discriminator } = this.networks;
    const { featureNetwork, headLogits } = discriminator;
    if (featureNetwork !== undefined && featureNetwork === this.teacher && headLogits) {
      const { denoised, features } = featureNetwork.denoiseWithFeatures(noised, sigma, labels);
      return { teacherX0: denoised, logits: headLogits.call(discriminator, features) };
    }
    const guided = this.teacher;
    if (
      guided instanceof GuidedDenoiser &&
      featureNetwork !== undefined &&
      guided.denoiser === featureNetwork &&
      headLogits &&
      labels !== undefined
    ) {
      const { denoised, features } = featureNetwork.denoiseWithFeatures(noised, sigma, labels);
      const nullLabels = tf.fill(labels.shape, guided.nullLabel, 'int32') as tf.Tensor1D;
      const unconditional = featureNetwork.denoise(noised, sigma, nullLabels);
      return {
        teacherX0: guided.combine(denoised, unconditional),
        logits: headLogits.call(discriminator, features),
      };
    }
    return {
      teacherX0: this.teacher.denoise(noised, sigma, labels),
      logits: discriminator.logits(noised, sigma, labels),
    };
  }

  /**
   * The density ratio of each sample from the discriminator's logits (clamped and clipped, then
   * divided by its sigma bin's mean, which advances the bins) and its weighting `h(ratio)`.
   */
  ratioAndWeight(
    logits: tf.Tensor1D,
    sigma: tf.Tensor1D,
  ): { ratio: tf.Tensor1D; weight: tf.Tensor1D } {
    const { densityRatio, divergence } = this.options;
    const clipped = densityRatioFromLogits(logits, densityRatio);
    const ratio = this.ratioNormalizer ? this.ratioNormalizer.normalize(clipped, sigma) : clipped;
    return { ratio, weight: divergence.hTensor(ratio) as tf.Tensor1D };
  }

  /**
   * What the generator's loss reads at the noised student samples of `draws` without a gradient:
   * the teacher's and the fake score's x0 predictions and the discriminator's logits.
   */
  generatorTargets(draws: StudentDraws): GeneratorTargets {
    const { latent, labels, sigma, noise } = draws;
    return tf.tidy(() => {
      const spread = broadcastPerSample(sigma, latent.rank);
      const noised = tf.add(this.generate(latent, labels), tf.mul(spread, noise));
      const { teacherX0, logits } = this.teacherAndLogits(noised, sigma, labels);
      const fakeX0 = this.networks.fakeScore.denoise(noised, sigma, labels);
      return { teacherX0, fakeX0, logits };
    });
  }

  /**
   * The generator's loss on the samples of `draws` (`distillGeneratorLoss` with `targets` and the
   * per-sample weights hbar) and its gradients by student variable name, with both terms. The
   * caller disposes everything returned.
   */
  generatorLossGradients(
    draws: StudentDraws,
    targets: GeneratorTargets,
    weights: tf.Tensor1D,
  ): Omit<GeneratorGradients, 'ratio' | 'weight'> {
    const { discriminator, student } = this.networks;
    const { ganWeight, fDistillWeight } = this.options;
    const { latent, labels, sigma, noise } = draws;
    // Loss terms made inside tf.variableGrads are freed with it: keep them.
    const kept: { fDistill?: tf.Scalar; gan?: tf.Scalar } = {};
    const { value, grads } = tf.tidy(() => {
      const spread = broadcastPerSample(sigma, latent.rank);
      return tf.variableGrads(() => {
        const generated = this.generate(latent, labels);
        const logits = discriminator.logits(
          tf.add(generated, tf.mul(spread, noise)),
          sigma,
          labels,
        );
        const terms = distillGeneratorLoss(
          { generated, teacherX0: targets.teacherX0, fakeX0: targets.fakeX0, weights, logits },
          { fDistillWeight, ganWeight },
        );
        kept.fDistill = tf.keep(terms.fDistill);
        kept.gan = tf.keep(terms.gan);
        return terms.loss;
      }, student.parameters());
    });
    return {
      loss: value,
      gradients: grads,
      fDistill: kept.fDistill as tf.Scalar,
      gan: kept.gan as tf.Scalar,
    };
  }

  /**
   * The generator's loss and gradients at a step (before clipping), with the loss terms, the
   * normalized ratio and the weighting h. The caller disposes everything returned. Calling it
   * advances the ratio bins, as a generator step does.
   */
  generatorGradients(step: number): GeneratorGradients {
    return tf.tidy(() => {
      const draws = this.drawStudentInputs(step, 'latent', 'generator-sigma', 'generator-noise');
      // Everything that carries no gradient is computed outside the tape: the teacher's and the
      // fake score's x0 predictions and the weights hbar from the discriminator's ratio.
      const targets = this.generatorTargets(draws);
      const { ratio, weight } = this.ratioAndWeight(targets.logits, draws.sigma);
      const normalizedWeight = this.options.weightNormalization ? normalizeWeights(weight) : weight;
      return { ...this.generatorLossGradients(draws, targets, normalizedWeight), ratio, weight };
    });
  }

  /**
   * The fake score's loss and gradients on the student samples of `draws` (generator detached),
   * with those samples noised (the discriminator's fake batch). Call it inside `tf.tidy`.
   */
  fakeScoreGradients(
    draws: StudentDraws,
  ): CriticBatch & { loss: tf.Scalar; gradients: tf.NamedTensorMap } {
    const { fakeScore } = this.networks;
    const { latent, labels, sigma, noise } = draws;
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
    return { loss: value, gradients: grads, noised, sigma, labels };
  }

  /**
   * The discriminator's loss (logistic + gamma R1, `criticLoss`) and gradients on a fake and a
   * real batch, with the R1 penalty (gamma 1) when it is on; the penalty's perturbation is a seed
   * (a step's `seed(step, 'penalty-noise')`) or the noise itself. Call it inside `tf.tidy`.
   */
  criticGradients(
    fake: CriticBatch,
    real: CriticBatch,
    perturbation: R1Perturbation,
  ): { loss: tf.Scalar; gradients: tf.NamedTensorMap; penalty?: tf.Scalar } {
    const { discriminator } = this.networks;
    // The penalty is made inside tf.variableGrads, which frees all but its result: keep it.
    let penalty: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const terms = criticLoss(discriminator, fake, real, this.options.r1, perturbation);
      if (terms.penalty !== undefined) penalty = tf.keep(terms.penalty);
      return terms.loss;
    }, discriminator.module.parameters());
    return { loss: value, gradients: grads, ...(penalty === undefined ? {} : { penalty }) };
  }

  /** Frees the ratio bins (the networks belong to the caller). */
  dispose(): void {
    this.ratioNormalizer?.dispose();
  }
}
