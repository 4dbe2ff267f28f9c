import { assertFiniteNumber, assertPositiveNumber } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs-core';

/** Hyperparameters of `AdamW`; defaults are the paper's (betas 0.9, 0.999, weight decay 0.01). */
export interface AdamWOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter), as PyTorch computes it: `p <- p (1 - lr wd)`, then
 * `p <- p - lr m_hat / (sqrt(v_hat) + eps)` with bias-corrected moments. Its moments and step
 * count are state that `getState`/`setState` save and restore exactly.
 *
 * @example
 * const optimizer = new AdamW(student.namedParameters(), { learningRate: 1e-4 });
 * const { grads } = tf.variableGrads(loss, student.parameters());
 * optimizer.applyGradients(grads);
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  learningRate: number;
  private stepCount = 0;
  private readonly parameters: Map<string, tf.Variable>;
  private readonly firstMoments = new Map<string, tf.Variable>();
  private readonly secondMoments = new Map<string, tf.Variable>();

  constructor(parameters: Array<[string, tf.Variable]>, options: AdamWOptions) {
    const {
      learningRate,
      beta1 = 0.9,
      beta2 = 0.999,
      epsilon = 1e-8,
      weightDecay = 0.01,
    } = options;
    assertPositiveNumber('AdamW: options.learningRate', learningRate);
    for (const [name, beta] of [
      ['beta1', beta1],
      ['beta2', beta2],
    ] as const) {
      assertFiniteNumber(`AdamW: options.${name}`, beta);
      if (beta < 0 || beta >= 1)
        throw new RangeError(`AdamW: options.${name} must be in [0, 1), got ${beta}`);
    }
    assertPositiveNumber('AdamW: options.epsilon', epsilon);
    assertFiniteNumber('AdamW: options.weightDecay', weightDecay);
    if (weightDecay < 0)
      throw new RangeError(`AdamW: options.weightDecay must be >= 0, got ${weightDecay}`);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.parameters = new Map(parameters);
    for (const [name, variable] of parameters) {
      // tf.variable copies its initial value: free the zeros it was made from.
      this.firstMoments.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
      );
      this.secondMoments.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
      );
    }
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.stepCount;
  }

  /**
   * One update from gradients keyed by tfjs variable name (what `tf.variableGrads` returns) or by
   * parameter name. Parameters without a gradient are left as they are.
   */
  applyGradients(gradients: Record<string, tf.Tensor>): void {
    this.stepCount += 1;
    const step = this.stepCount;
    const firstCorrection = 1 - this.beta1 ** step;
    const secondCorrection = 1 - this.beta2 ** step;
    tf.tidy(() => {
      for (const [name, variable] of this.parameters) {
        const gradient = gradients[variable.name] ?? gradients[name];
        if (gradient === undefined) continue;
        const first = this.firstMoments.get(name) as tf.Variable;
        const second = this.secondMoments.get(name) as tf.Variable;
        first.assign(tf.add(tf.mul(first, this.beta1), tf.mul(gradient, 1 - this.beta1)));
        second.assign(
          tf.add(tf.mul(second, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2)),
        );
        const decayed = tf.mul(variable, 1 - this.learningRate * this.weightDecay);
        const denominator = tf.add(tf.sqrt(tf.div(second, secondCorrection)), this.epsilon);
        const update = tf.div(tf.div(first, firstCorrection), denominator);
        variable.assign(tf.sub(decayed, tf.mul(update, this.learningRate)));
      }
    });
  }

  /** The moments by `<parameter>.first` / `<parameter>.second` name, and the step count. */
  getState(): { steps: number; moments: Map<string, tf.Tensor> } {
    const moments = new Map<string, tf.Tensor>();
    for (const name of this.parameters.keys()) {
      moments.set(`${name}.first`, this.firstMoments.get(name) as tf.Variable);
      moments.set(`${name}.second`, this.secondMoments.get(name) as tf.Variable);
    }
    return { steps: this.stepCount, moments };
  }

  /** Restores state saved by `getState`; a missing or misshapen moment throws, naming it. */
  setState(state: { steps: number; moments: ReadonlyMap<string, tf.Tensor> }): void {
    if (!Number.isInteger(state.steps) || state.steps < 0) {
      throw new RangeError(
        `AdamW.setState: state.steps must be an integer >= 0, got ${state.steps}`,
      );
    }
    const pairs: Array<[tf.Variable, tf.Tensor]> = [];
    for (const [name, variable] of this.parameters) {
      for (const [suffix, target] of [
        ['first', this.firstMoments],
        ['second', this.secondMoments],
      ] as const) {
        const saved = state.moments.get(`${name}.${suffix}`);
        if (saved === undefined || saved.size !== variable.size) {
          throw new Error(
            `AdamW.setState: moment "${name}.${suffix}" is missing or has the wrong size`,
          );
        }
        pairs.push([target.get(name) as tf.Variable, saved]);
      }
    }
    for (const [target, saved] of pairs) target.assign(tf.reshape(saved, target.shape));
    this.stepCount = state.steps;
  }

  /** Frees the moments. */
  dispose(): void {
    for (const moment of [...this.firstMoments.values(), ...this.secondMoments.values()])
      moment.dispose();
  }
}
