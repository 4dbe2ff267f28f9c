import { getDivergence } from '@fdistill/divergence';
import type { Module } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { CriticBatch } from '../critic-loss.js';
import type { DataSource } from '../data/data-source.js';
import { DistillModel, type GeneratorTargets, type StudentDraws } from '../distill-model.js';
import type { ResolvedDistillOptions } from '../distill-options.js';
import {
  type CriticSlice,
  type CriticSliceResult,
  drawsOfSlice,
  type GeneratorSliceResult,
  type StudentSlice,
  trainedModules,
} from '../distill-shards.js';
import { disposeObject } from '../tensor-objects.js';
import { type CopyableDistillNetworks, rebuildDistillNetworks } from './distill-network-copies.js';

/** What a distill worker is started with (`startDistillWorkers`). */
export interface DistillWorkerData {
  /** Modules imported first, in order (tfjs with its gradients). */
  imports: string[];
  /** A module exporting `selectBackend(name)`, and the backend's name. */
  backendModule: string;
  backendName: string;
  /** tfjs's production mode of the calling thread (no debug checks, no console notes). */
  productionMode: boolean;
  networks: CopyableDistillNetworks;
  /** The distiller's options without its divergence (the calling thread weights the samples). */
  options: Omit<ResolvedDistillOptions, 'divergence'>;
  sampleShape: number[];
  classCount?: number;
  /** The trained parameters, shared by every worker (`flatDistillParameters`). */
  parameters: Float32Array;
}

/** Each job's input and answer, by kind. */
export interface DistillJobs {
  critic: { input: CriticSlice; answer: CriticSliceResult };
  'generator-logits': { input: StudentSlice; answer: Float32Array };
  'generator-gradients': { input: Float32Array; answer: GeneratorSliceResult };
}

/** A gradient map as one flat array in the order of `parameters`. */
function flatGradients(parameters: readonly tf.Variable[], gradients: tf.NamedTensorMap) {
  const flat = new Float32Array(parameters.reduce((total, p) => total + p.size, 0));
  let offset = 0;
  for (const parameter of parameters) {
    flat.set((gradients[parameter.name] as tf.Tensor).dataSync() as Float32Array, offset);
    offset += parameter.size;
  }
  return flat;
}

/** The first value of a scalar. */
function scalarValue(scalar: tf.Tensor): number {
  return scalar.dataSync()[0] as number;
}

/**
 * A distill worker's side of the jobs: its own copies of the run's networks, rebuilt from the
 * calling thread's, which take the shared parameters before each step, and the slice
 * computations of `DistillModel` on them.
 */
export class DistillSliceJobs {
  private readonly model: DistillModel;
  private readonly modules: Module[];
  private readonly sampleShape: number[];
  private readonly parameters: Float32Array;
  /** The slice of the last generator-logits job and what it read there, for its gradients. */
  private generatorSlice: { draws: StudentDraws; targets: GeneratorTargets } | undefined;

  constructor(data: DistillWorkerData) {
    const networks = rebuildDistillNetworks(data.networks);
    const source: DataSource = {
      sampleShape: data.sampleShape,
      ...(data.classCount === undefined ? {} : { classCount: data.classCount }),
      sample() {
        throw new Error('a distill worker draws no data: the calling thread draws every batch');
      },
    };
    // Workers never weight samples (the calling thread computes the ratio and h on the whole
    // batch), so neither the divergence nor the ratio bins matter here.
    this.model = new DistillModel(networks, source, {
      ...data.options,
      divergence: getDivergence('reverse-kl'),
      ratioNormalization: false,
    });
    this.modules = trainedModules(networks);
    this.sampleShape = data.sampleShape;
    this.parameters = data.parameters;
  }

  /** Answers one job; `transfer` lists the buffers the answer can hand over without a copy. */
  answer(kind: string, input: unknown): { answer: unknown; transfer: ArrayBuffer[] } {
    if (kind === 'critic') {
      const answer = this.critic(input as CriticSlice);
      return {
        answer,
        transfer: [
          answer.fakeScoreGradients.buffer,
          answer.discriminatorGradients.buffer,
        ] as ArrayBuffer[],
      };
    }
    if (kind === 'generator-logits') {
      const answer = this.generatorLogits(input as StudentSlice);
      return { answer, transfer: [answer.buffer as ArrayBuffer] };
    }
    if (kind === 'generator-gradients') {
      const answer = this.generatorGradients(input as Float32Array);
      return { answer, transfer: [answer.gradients.buffer as ArrayBuffer] };
    }
    throw new Error(`unknown job kind "${kind}"`);
  }

  /** Copies the shared parameters into this thread's networks. */
  private loadParameters(): void {
    let offset = 0;
    for (const parameter of this.modules.flatMap((module) => module.parameters())) {
      const values = this.parameters.slice(offset, offset + parameter.size);
      tf.tidy(() => parameter.assign(tf.tensor(values, parameter.shape)));
      offset += parameter.size;
    }
  }

  /** A critic step's fake-score and discriminator losses and gradients on one slice. */
  private critic(slice: CriticSlice): CriticSliceResult {
    this.loadParameters();
    const { fakeScore, discriminator } = this.model.networks;
    let result: CriticSliceResult | undefined;
    tf.tidy(() => {
      const fake = this.model.fakeScoreGradients(drawsOfSlice(slice.fake, this.sampleShape));
      const size = slice.real.sigma.length;
      const shape = [size, ...this.sampleShape];
      const real: CriticBatch = {
        noised: tf.tensor(slice.real.noised, shape),
        sigma: tf.tensor1d(slice.real.sigma),
        ...(slice.real.labels === undefined
          ? {}
          : { labels: tf.tensor1d(slice.real.labels, 'int32') }),
      };
      const perturbation =
        slice.perturbation === undefined ? slice.penaltySeed : tf.tensor(slice.perturbation, shape);
      const critic = this.model.criticGradients(fake, real, perturbation);
      result = {
        fakeScoreLoss: scalarValue(fake.loss),
        discriminatorLoss: scalarValue(critic.loss),
        ...(critic.penalty === undefined ? {} : { penalty: scalarValue(critic.penalty) }),
        fakeScoreGradients: flatGradients(fakeScore.parameters(), fake.gradients),
        discriminatorGradients: flatGradients(discriminator.module.parameters(), critic.gradients),
      };
      critic.penalty?.dispose();
    });
    return result as CriticSliceResult;
  }

  /** First half of a generator step on one slice: the logits; keeps the slice for the second. */
  private generatorLogits(slice: StudentSlice): Float32Array {
    this.loadParameters();
    this.forgetGeneratorSlice();
    const draws = drawsOfSlice(slice, this.sampleShape);
    const targets = this.model.generatorTargets(draws);
    this.generatorSlice = { draws, targets };
    return Float32Array.from(targets.logits.dataSync());
  }

  /** Second half: the loss and gradients of the kept slice with its rows of hbar. */
  private generatorGradients(weights: Float32Array): GeneratorSliceResult {
    const slice = this.generatorSlice;
    if (slice === undefined) throw new Error('a generator-gradients job came before its logits');
    const weightTensor = tf.tensor1d(weights);
    const terms = this.model.generatorLossGradients(slice.draws, slice.targets, weightTensor);
    const result: GeneratorSliceResult = {
      loss: scalarValue(terms.loss),
      fDistill: scalarValue(terms.fDistill),
      gan: scalarValue(terms.gan),
      gradients: flatGradients(this.model.networks.student.parameters(), terms.gradients),
    };
    disposeObject([weightTensor, terms]);
    this.forgetGeneratorSlice();
    return result;
  }

  /** Frees the kept generator slice. */
  private forgetGeneratorSlice(): void {
    if (this.generatorSlice === undefined) return;
    disposeObject(this.generatorSlice);
    this.generatorSlice = undefined;
  }
}
