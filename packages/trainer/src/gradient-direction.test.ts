import '@tensorflow/tfjs';
import {
  alphaDivergence,
  type Divergence,
  integrateAdaptive,
  listDivergences,
} from '@fdistill/divergence';
import { EdmNetwork, GaussianMixture, Module, type RawNetworkOutput } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tensorSource } from './data/tensor-source.js';
import { Distiller } from './distiller.js';

const TEACHER_MEAN = 1;
const STD = 0.5;
const SIGMA_MAX = 80;

/** A Gaussian student: G(z) = STD z + theta, theta learnable (written as a denoiser at sigma_max). */
class GaussianStudent extends EdmNetwork {
  readonly featureNames = [];
  readonly theta = this.addParameter('theta', tf.scalar(0));
  protected forwardRaw(): RawNetworkOutput {
    throw new Error('GaussianStudent only generates');
  }
  override denoise(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(x, STD / SIGMA_MAX), this.theta));
  }
}

/** The exact score of the student's distribution q0 = N(theta, STD^2): the ideal fake score. */
class ExactFakeScore extends EdmNetwork {
  readonly featureNames = [];
  constructor(private readonly student: GaussianStudent) {
    super();
  }
  protected forwardRaw(): RawNetworkOutput {
    throw new Error('ExactFakeScore only denoises');
  }
  override denoise(x: tf.Tensor, sigma: number | tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shrink = tf.div(
        STD * STD,
        tf.add(tf.square(tf.reshape(sigma as tf.Tensor, [-1, 1])), STD * STD),
      );
      return tf.add(this.student.theta, tf.mul(shrink, tf.sub(x, this.student.theta)));
    });
  }
}

/** The exact log density ratio ln p_sigma / q_sigma of the two noised Gaussians. */
function exactDiscriminator(student: GaussianStudent) {
  const module = new (class extends Module {})();
  return {
    module,
    logits: (noised: tf.Tensor, sigma: tf.Tensor1D) =>
      tf.tidy(() => {
        const x = tf.reshape(noised, [-1]);
        const variance = tf.add(tf.square(sigma), STD * STD);
        const difference = tf.sub(
          tf.square(tf.sub(x, student.theta)),
          tf.square(tf.sub(x, TEACHER_MEAN)),
        );
        return tf.div(difference, tf.mul(variance, 2)) as tf.Tensor1D;
      }),
    r1Penalty: () => tf.scalar(0),
  };
}

/** D_f(p || q) for p = N(1, STD^2), q = N(theta, STD^2), by adaptive quadrature in float64. */
function exactDivergence(divergence: Divergence, theta: number): number {
  const logNormal = (x: number, mean: number) =>
    -0.5 * Math.log(2 * Math.PI * STD * STD) - ((x - mean) * (x - mean)) / (2 * STD * STD);
  return integrateAdaptive(
    (x) => {
      const logQ = logNormal(x, theta);
      const ratio = Math.exp(Math.min(Math.max(logNormal(x, TEACHER_MEAN) - logQ, -700), 700));
      return Math.exp(logQ) * divergence.f(ratio);
    },
    -12,
    12,
    1e-12,
  );
}

describe('one generator step', () => {
  const divergences = [...listDivergences(), alphaDivergence(0.5)];
  it.each(divergences.map((divergence) => [divergence.name, divergence] as const))(
    'lowers the exactly measured %s divergence',
    async (_name, divergence) => {
      const student = new GaussianStudent();
      const distiller = new Distiller(
        {
          teacher: new GaussianMixture({ means: [[TEACHER_MEAN]], stds: STD }),
          student,
          fakeScore: new ExactFakeScore(student),
          discriminator: exactDiscriminator(student),
        },
        tensorSource(tf.zeros([1, 1])),
        {
          divergence,
          batchSize: 256,
          ganWeight: 0,
          seed: 7,
          learningRates: { generator: 1e-3 },
          sigmaMax: SIGMA_MAX,
        },
      );
      const before = exactDivergence(divergence, 0);
      await distiller.step();
      const theta = student.theta.dataSync()[0] as number;
      const after = exactDivergence(divergence, theta);
      expect(theta).toBeGreaterThan(0);
      expect(after).toBeLessThan(before);
      distiller.dispose();
    },
  );
});
