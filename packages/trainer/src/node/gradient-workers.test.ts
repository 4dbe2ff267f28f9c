import {
  denoisingScoreMatchingDraws,
  denoisingScoreMatchingLoss,
  MlpDenoiser,
  UNetDenoiser,
} from '@fdistill/score';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorSource } from '../data/tensor-source.js';
import {
  flatParameters,
  type GradientShards,
  type ShardResult,
  teacherShardOf,
} from '../gradient-shards.js';
import { TeacherTrainer } from '../teacher-trainer.js';
import { startGradientWorkers } from './gradient-workers.js';

const backend = { module: import.meta.resolve('@fdistill/testing/plain-backend'), name: 'cpu' };
const imports = [import.meta.resolve('@tensorflow/tfjs')];

/** Parameters and losses after `steps` teacher steps, on one thread or with `shards`. */
async function train(
  build: () => UNetDenoiser | MlpDenoiser,
  data: tf.Tensor,
  labels: tf.Tensor1D | undefined,
  steps: number,
  shards?: GradientShards,
) {
  const network = build();
  const source = labels === undefined ? tensorSource(data) : tensorSource(data, labels, 3);
  const trainer = new TeacherTrainer(network, source, {
    batchSize: 7,
    totalSteps: 100,
    warmupSteps: 0,
    seed: 4,
  });
  trainer.shareWork(shards);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) losses.push((await trainer.step()).loss);
  const parameters = network.parameters().map((p) => Array.from(p.dataSync()));
  trainer.dispose();
  network.dispose();
  return { losses, parameters };
}

function largestRelativeDifference(actual: number[][], expected: number[][]): number {
  let largest = 0;
  actual.forEach((values, index) => {
    const reference = expected[index] as number[];
    const scale = Math.max(1e-6, ...reference.map(Math.abs));
    for (let i = 0; i < values.length; i++) {
      largest = Math.max(
        largest,
        Math.abs((values[i] as number) - (reference[i] as number)) / scale,
      );
    }
  });
  return largest;
}

describe('startGradientWorkers', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  describe('an MLP teacher, class-conditional, 7 samples over 3 threads', () => {
    const build = () =>
      new MlpDenoiser({ dimension: 2, width: 16, depth: 2, classCount: 3, seed: 1 });
    let shards: GradientShards;
    beforeAll(async () => {
      shards = await startGradientWorkers({
        network: build(),
        helpers: 2,
        backend,
        imports,
      });
    });
    afterAll(() => shards.dispose());

    it('trains as one thread does, up to float summation order', async () => {
      const data = tf.randomNormal([40, 2], 0, 1, 'float32', 2);
      const labels = tf.tensor1d(
        Array.from({ length: 40 }, (_, i) => i % 3),
        'int32',
      );
      const one = await train(build, data, labels, 3);
      const three = await train(build, data, labels, 3, shards);
      for (const [step, loss] of three.losses.entries()) {
        expect(loss).toBeCloseTo(one.losses[step] as number, 5);
      }
      expect(largestRelativeDifference(three.parameters, one.parameters)).toBeLessThan(1e-4);
      tf.dispose([data, labels]);
    });
  });

  it("a U-Net's gradient from two threads (3 + 4 samples) is the whole batch's", async () => {
    const network = new UNetDenoiser({
      imageSize: 8,
      channels: 1,
      baseChannels: 4,
      channelMultipliers: [1, 2],
      blocksPerResolution: 1,
      attentionResolutions: [4],
      groupNormGroups: 2,
      embeddingSize: 8,
      seed: 3,
    });
    const shards = await startGradientWorkers({
      network,
      helpers: 1,
      backend,
      imports,
    });
    try {
      const x = tf.randomUniform([7, 8, 8, 1], -1, 1, 'float32', 5);
      const draws = denoisingScoreMatchingDraws(network, x, { seed: 3 });
      const parameters = network.parameters();
      const gradientsOf = (start: number, size: number) =>
        tf.tidy(() => {
          const rows = (tensor: tf.Tensor) => tf.slice(tensor, start, size);
          const { grads } = tf.variableGrads(
            () =>
              denoisingScoreMatchingLoss(network, rows(x), {
                sigma: rows(draws.sigma),
                noise: rows(draws.noise),
              }) as tf.Scalar,
            parameters,
          );
          return parameters.map((p) => Array.from((grads[p.name] as tf.Tensor).dataSync()));
        });
      const whole = gradientsOf(0, 7);
      const pending = shards.compute([teacherShardOf(x, draws, 3, 4)], flatParameters(network));
      const own = gradientsOf(0, 3);
      const [helper] = await pending;
      let offset = 0;
      const combined = own.map((values) => {
        const part = (helper as ShardResult).gradients.subarray(offset, offset + values.length);
        offset += values.length;
        return values.map((value, index) => (3 * value + 4 * (part[index] as number)) / 7);
      });
      expect(offset).toBe((helper as ShardResult).gradients.length);
      const scale = Math.max(...whole.flat().map(Math.abs));
      const largest = Math.max(
        ...combined.flatMap((values, i) =>
          values.map((value, j) => Math.abs(value - ((whole[i] as number[])[j] as number))),
        ),
      );
      expect(largest / scale).toBeLessThan(1e-5);
      tf.dispose([x, draws.sigma, draws.noise]);
    } finally {
      shards.dispose();
      network.dispose();
    }
  });

  it('a worker that exits stops the step at once, naming it', async () => {
    const faults = `${import.meta.resolve('@fdistill/testing/worker-faults')}?fault=exit&job=2`;
    const build = () => new MlpDenoiser({ dimension: 2, width: 16, depth: 2, seed: 1 });
    const shards = await startGradientWorkers({
      network: build(),
      helpers: 1,
      backend,
      imports: [...imports, faults],
    });
    const data = tf.randomNormal([40, 2], 0, 1, 'float32', 2);
    const started = performance.now();
    await expect(train(build, data, undefined, 3, shards)).rejects.toThrow(
      'gradient worker 1 exited with code 7 during a gradient job',
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    shards.dispose();
    data.dispose();
  });

  it('names bad options before starting any thread', async () => {
    const network = new MlpDenoiser({ dimension: 2, seed: 1 });
    await expect(startGradientWorkers({ network, helpers: 0, backend, imports })).rejects.toThrow(
      'helpers must be an integer >= 1, got 0',
    );
    await expect(
      startGradientWorkers({ network, helpers: 1, backend: { name: 'cpu' } as never, imports }),
    ).rejects.toThrow('backend must be { module, name }');
    network.dispose();
  });
});
