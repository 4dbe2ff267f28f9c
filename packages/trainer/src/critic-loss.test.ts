import '@tensorflow/tfjs';
import { exactR1Penalty } from '@fdistill/discriminator';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { criticLoss } from './critic-loss.js';
import type { DistillDiscriminator } from './distill-networks.js';

const softplus = (value: number) => Math.log1p(Math.exp(value));

/** A linear critic `D(x) = x . a + b`: its R1 gradient is `a` everywhere, in closed form. */
function linearCritic(a: number[], b: number, calls: string[]) {
  const logitsOf = (x: tf.Tensor) =>
    tf.tidy(() =>
      tf.add(tf.squeeze(tf.matMul(x as tf.Tensor2D, tf.tensor2d(a, [a.length, 1])), [1]), b),
    ) as tf.Tensor1D;
  const critic: Pick<DistillDiscriminator, 'logits' | 'r1Penalty'> = {
    logits: (noised) => {
      calls.push('logits');
      return logitsOf(noised);
    },
    r1Penalty: (noisedReal) => {
      calls.push('r1Penalty');
      return exactR1Penalty(logitsOf, noisedReal, 1);
    },
  };
  return { critic, logitsOf };
}

const fakeRows = [
  [0.5, -1],
  [2, 0.25],
];
const realRows = [
  [-0.5, 1],
  [0, 3],
  [1, 1],
];
const batches = () => ({
  fake: { noised: tf.tensor2d(fakeRows), sigma: tf.tensor1d([0.1, 2]) },
  real: { noised: tf.tensor2d(realRows), sigma: tf.tensor1d([1, 0.5, 4]) },
});
const logit = (row: number[]) => (row[0] as number) * 0.5 + (row[1] as number) * -2 + 0.1;
const logistic =
  fakeRows.reduce((sum, row) => sum + softplus(logit(row)), 0) / fakeRows.length +
  realRows.reduce((sum, row) => sum + softplus(-logit(row)), 0) / realRows.length;

describe('criticLoss', () => {
  it('is mean softplus(D(fake)) + mean softplus(-D(real)) + gamma |grad D|^2 / 2', () => {
    const calls: string[] = [];
    const { critic } = linearCritic([0.5, -2], 0.1, calls);
    const { fake, real } = batches();
    const terms = criticLoss(critic, fake, real, { gamma: 3, form: 'exact' }, 7);
    const loss = terms.loss.dataSync()[0] as number;
    const penalty = terms.penalty?.dataSync()[0] as number;
    expect(Number.isFinite(loss)).toBe(true);
    // R1 at gamma 1: half the mean squared norm of the gradient a = (0.5, -2).
    expect(penalty).toBeCloseTo((0.5 ** 2 + 2 ** 2) / 2, 5);
    expect(loss).toBeCloseTo(logistic + 3 * ((0.5 ** 2 + 2 ** 2) / 2), 5);
    expect(calls).toEqual(['logits', 'logits', 'r1Penalty']);
  });

  it('with gamma 0 is the logistic loss alone and asks for no penalty', () => {
    const calls: string[] = [];
    const { critic } = linearCritic([0.5, -2], 0.1, calls);
    const { fake, real } = batches();
    const terms = criticLoss(critic, fake, real, { gamma: 0, form: 'approximate' }, 7);
    const loss = terms.loss.dataSync()[0] as number;
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(logistic, 5);
    expect(terms.penalty).toBeUndefined();
    expect(calls).toEqual(['logits', 'logits']);
  });

  it('takes the real logits and the penalty from one shared evaluation when offered', () => {
    const calls: string[] = [];
    const { critic, logitsOf } = linearCritic([0.5, -2], 0.1, calls);
    const shared: Pick<DistillDiscriminator, 'logits' | 'r1Penalty' | 'realLogitsAndR1Penalty'> = {
      ...critic,
      realLogitsAndR1Penalty: (noisedReal, _sigma, form, seed) => {
        calls.push(`shared ${form} ${seed}`);
        return { logits: logitsOf(noisedReal), penalty: tf.scalar(0.5) };
      },
    };
    const { fake, real } = batches();
    const terms = criticLoss(shared, fake, real, { gamma: 2, form: 'approximate' }, 11);
    expect(terms.loss.dataSync()[0]).toBeCloseTo(logistic + 2 * 0.5, 5);
    expect(calls).toEqual(['logits', 'shared approximate 11']);
  });
});
