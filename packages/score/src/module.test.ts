import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { updateExponentialMovingAverage } from './exponential-moving-average.js';
import { Linear } from './layers/linear.js';
import { Module } from './module.js';

class Block extends Module {
  readonly scale = this.addParameter('scale', tf.fill([3], 2));
  readonly layer: Linear;
  readonly heads: Linear[];

  constructor(seed: number) {
    super();
    this.layer = this.addModule('layer', new Linear(3, 4, { seed }));
    this.heads = this.addModuleList('heads', [
      new Linear(4, 1, { seed: seed + 1 }),
      new Linear(4, 2, { seed: seed + 2 }),
    ]);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const hidden = this.layer.forward(tf.mul(x, this.scale));
      return tf.concat(
        this.heads.map((head) => head.forward(hidden)),
        1,
      );
    });
  }
}

function values(module: Module): number[][] {
  return module.parameters().map((variable) => Array.from(variable.dataSync()));
}

describe('Module', () => {
  it('names parameters depth first in registration order, with shapes and a count', () => {
    const block = new Block(1);
    const named = block.namedParameters().map(([name, variable]) => [name, variable.shape]);
    expect(named).toEqual([
      ['scale', [3]],
      ['layer.weight', [3, 4]],
      ['layer.bias', [4]],
      ['heads.0.weight', [4, 1]],
      ['heads.0.bias', [1]],
      ['heads.1.weight', [4, 2]],
      ['heads.1.bias', [2]],
    ]);
    expect(block.parameterCount()).toBe(3 + 12 + 4 + 4 + 1 + 8 + 2);
    expect([...block.stateDict().keys()]).toEqual(named.map(([name]) => name));
    block.dispose();
  });

  it('copies parameters from a twin, which then stay independent', () => {
    const target = new Block(1);
    const source = new Block(7);
    expect(values(target)).not.toEqual(values(source));
    target.copyParametersFrom(source);
    expect(values(target)).toEqual(values(source));
    source.layer.weight.assign(tf.zeros([3, 4]));
    expect(values(target)[1]?.every((value) => value === 0)).toBe(false);
    target.dispose();
    source.dispose();
  });

  it('rejects a missing, misshapen or unexpected tensor by name and changes nothing', () => {
    const block = new Block(1);
    const before = values(block);
    const state = new Map<string, tf.Tensor>(block.stateDict());
    state.delete('heads.1.bias');
    expect(() => block.loadStateDict(state)).toThrow('tensor "heads.1.bias" is missing');
    const wrong = tf.zeros([5]);
    state.set('heads.1.bias', wrong);
    expect(() => block.loadStateDict(state)).toThrow(
      'tensor "heads.1.bias" has shape [5], expected [2]',
    );
    const extra = tf.zeros([2]);
    state.set('heads.1.bias', extra);
    state.set('heads.2.bias', extra);
    expect(() => block.loadStateDict(state)).toThrow('unexpected tensor "heads.2.bias"');
    expect(values(block)).toEqual(before);
    tf.dispose([wrong, extra]);
    block.dispose();
  });

  it('loads a state dict without leaking tensors', () => {
    const target = new Block(1);
    const source = new Block(2);
    target.copyParametersFrom(source);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) target.copyParametersFrom(source);
    expect(tf.memory().numTensors).toBe(before);
    target.dispose();
    source.dispose();
  });

  it('gives frozen modules no gradient (tf.variableGrads)', () => {
    const frozen = new Block(1);
    const trainable = new Block(2);
    frozen.setTrainable(false);
    const x = tf.ones([2, 3]);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.add(frozen.forward(x), trainable.forward(x))) as tf.Scalar,
    );
    const gradientNames = new Set(Object.keys(grads));
    for (const variable of frozen.parameters())
      expect(gradientNames.has(variable.name)).toBe(false);
    for (const variable of trainable.parameters())
      expect(gradientNames.has(variable.name)).toBe(true);
    frozen.setTrainable(true);
    expect(frozen.parameters().every((variable) => variable.trainable)).toBe(true);
    tf.dispose([x, value, ...Object.values(grads)]);
    frozen.dispose();
    trainable.dispose();
  });

  it('rejects bad and duplicate names', () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.addParameter('weight', tf.zeros([1]));
        this.addParameter(name, tf.zeros([1]));
      }
    }
    expect(() => new Bad('a.b')).toThrow('invalid parameter or module name "a.b"');
    expect(() => new Bad('weight')).toThrow('"weight" is already registered');
  });

  it('frees every variable on dispose', () => {
    const before = tf.memory().numTensors;
    const block = new Block(3);
    expect(tf.memory().numTensors).toBe(before + 7);
    block.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

class WithBuffer extends Module {
  readonly weight = this.addParameter('weight', tf.ones([2]));
  readonly table = this.addBuffer('table', tf.tensor1d([1, 2, 3]));
}

describe('Module buffers', () => {
  it('are in the state dict, copied and loaded, but never parameters or trainable', () => {
    const module = new WithBuffer();
    expect(module.namedParameters().map(([name]) => name)).toEqual(['weight']);
    expect(module.namedBuffers().map(([name]) => name)).toEqual(['table']);
    expect([...module.stateDict().keys()]).toEqual(['weight', 'table']);
    expect(module.parameterCount()).toBe(2);
    module.setTrainable(true);
    expect(module.table.trainable).toBe(false);
    const other = new WithBuffer();
    other.table.assign(tf.tensor1d([7, 8, 9]));
    module.copyParametersFrom(other);
    expect(Array.from(module.table.dataSync())).toEqual([7, 8, 9]);
    const { grads, value } = tf.variableGrads(
      () => tf.sum(tf.mul(tf.sum(module.weight), module.table)) as tf.Scalar,
    );
    expect(Object.keys(grads)).toEqual([module.weight.name]);
    tf.dispose([value, ...Object.values(grads)]);
    const before = tf.memory().numTensors;
    module.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    other.dispose();
  });
});

describe('updateExponentialMovingAverage', () => {
  it('sets average = decay * average + (1 - decay) * source for every parameter', () => {
    const average = new Block(1);
    const source = new Block(5);
    const before = values(average);
    const target = values(source);
    updateExponentialMovingAverage(average, source, 0.9);
    for (const [i, row] of values(average).entries()) {
      for (const [j, value] of row.entries()) {
        const expected = 0.9 * (before[i]?.[j] as number) + 0.1 * (target[i]?.[j] as number);
        expect(value).toBeCloseTo(expected, 6);
      }
    }
    updateExponentialMovingAverage(average, source, 0);
    expect(values(average)).toEqual(target);
    expect(() => updateExponentialMovingAverage(average, source, 1.5)).toThrow(
      'decay must be in [0, 1], got 1.5',
    );
    const other = new Linear(3, 4, { seed: 1 });
    expect(() => updateExponentialMovingAverage(average, other, 0.5)).toThrow(
      'source has no parameter "scale"',
    );
    average.dispose();
    source.dispose();
    other.dispose();
  });
});
