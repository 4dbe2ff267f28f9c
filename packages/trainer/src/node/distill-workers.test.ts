import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlpDiscriminator } from '@fdistill/discriminator';
import { getDivergence } from '@fdistill/divergence';
import { MlpDenoiser, UNetDenoiser } from '@fdistill/score';
import { TINY_CONDITIONAL_UNET } from '@fdistill/testing';
import { tinyImageDistillNetworks, twoModeMixture } from '@fdistill/testing/trainer';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../checkpoint-bytes.js';
import { mixtureSource } from '../data/mixture-source.js';
import { tensorSource } from '../data/tensor-source.js';
import {
  mlpDistillDiscriminator,
  teacherFeatureDistillDiscriminator,
} from '../discriminator-adapters.js';
import type { DistillShards } from '../distill-shards.js';
import { Distiller } from '../distiller.js';
import { runTraining } from '../run-training.js';
import { checkpointFile } from './checkpoint-file.js';
import { type DistillWorkersOptions, startDistillWorkers } from './distill-workers.js';

const backend = { module: import.meta.resolve('@fdistill/testing/plain-backend'), name: 'cpu' };
const imports = [import.meta.resolve('@tensorflow/tfjs')];

/** A mixture run's distiller: MLP student, fake score and discriminator, R1 and a GAN term. */
function mixtureDistiller(): Distiller {
  const teacher = twoModeMixture();
  const mlp = (seed: number) =>
    new MlpDenoiser({ dimension: 2, width: 16, depth: 2, embeddingSize: 8, seed });
  return new Distiller(
    {
      teacher,
      student: mlp(11),
      fakeScore: mlp(12),
      discriminator: mlpDistillDiscriminator(
        new MlpDiscriminator({ dimension: 2, width: 16, depth: 2, embeddingSize: 8, seed: 13 }),
      ),
    },
    mixtureSource(teacher),
    {
      divergence: getDivergence('js'),
      batchSize: 9,
      fakeUpdateFrequency: 2,
      ganWeight: 0.1,
      r1: { gamma: 1 },
      ratioNormalization: { emaRate: 0.5 },
      learningRates: { generator: 1e-3, fakeScore: 1e-3, discriminator: 1e-3 },
    },
  );
}

/** A class-conditional U-Net run's distiller: conv heads on the teacher's 8x8 tap, R1. */
function imageDistiller(): Distiller {
  const { teacher, student, fakeScore, heads } = tinyImageDistillNetworks(TINY_CONDITIONAL_UNET);
  const images = tf.randomUniform([12, 8, 8, 1], -1, 1, 'float32', 3);
  const labels = tf.tensor1d([0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0], 'int32');
  return new Distiller(
    {
      teacher,
      student,
      fakeScore,
      discriminator: teacherFeatureDistillDiscriminator(teacher, heads),
    },
    tensorSource(images, labels, 2),
    {
      divergence: getDivergence('forward-kl'),
      batchSize: 5,
      fakeUpdateFrequency: 2,
      ganWeight: 0.3,
      r1: { gamma: 1 },
      guidanceScale: 1.5,
    },
  );
}

/** Every number the steps report, and every trained parameter after them. */
async function distillSteps(distiller: Distiller, steps: number, shards?: DistillShards) {
  distiller.shareWork(shards);
  const reported: number[] = [];
  for (let step = 0; step < steps; step++) {
    const event = await distiller.step();
    const { losses, ratio, weight, generatorGradientNorm } = event;
    reported.push(...Object.values(losses).map((value) => value as number));
    if (ratio && weight) reported.push(...Object.values(ratio), ...Object.values(weight));
    if (generatorGradientNorm !== undefined) reported.push(generatorGradientNorm);
  }
  const { student, fakeScore, discriminator } = distiller.networks;
  const parameters = [student, fakeScore, discriminator.module]
    .flatMap((module) => module.parameters())
    .flatMap((parameter) => Array.from(parameter.dataSync()));
  return { reported, parameters };
}

/** The largest difference relative to `max(1, |expected|)`. */
function largestDifference(actual: number[], expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  return Math.max(
    ...actual.map(
      (value, index) =>
        Math.abs(value - (expected[index] as number)) /
        Math.max(1, Math.abs(expected[index] as number)),
    ),
  );
}

/** Frees a test distiller with its networks. */
function disposeDistiller(distiller: Distiller): void {
  const { teacher, student, fakeScore, discriminator } = distiller.networks;
  distiller.dispose();
  for (const module of [student, fakeScore, discriminator.module]) module.dispose();
  if (teacher instanceof UNetDenoiser) teacher.dispose();
}

/** Runs `steps` steps on one thread and with `helpers` workers; returns both. */
async function oneThreadAndShared(build: () => Distiller, helpers: number, steps: number) {
  const alone = build();
  const one = await distillSteps(alone, steps);
  disposeDistiller(alone);
  const shared = build();
  const shards = await startDistillWorkers({ distiller: shared, helpers, imports, backend });
  try {
    return { one, shared: await distillSteps(shared, steps, shards) };
  } finally {
    shards.dispose();
    disposeDistiller(shared);
  }
}

describe('startDistillWorkers', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a mixture run with 3 workers (batch 9: 3 + 2 + 2 + 2) steps as one thread does', async () => {
    const { one, shared } = await oneThreadAndShared(mixtureDistiller, 3, 4);
    expect(largestDifference(shared.reported, one.reported)).toBeLessThan(1e-5);
    expect(largestDifference(shared.parameters, one.parameters)).toBeLessThan(1e-5);
  });

  it('a class-conditional U-Net run with a guided teacher, conv heads and R1 steps as one thread does', async () => {
    const { one, shared } = await oneThreadAndShared(imageDistiller, 2, 4);
    expect(largestDifference(shared.reported, one.reported)).toBeLessThan(1e-5);
    expect(largestDifference(shared.parameters, one.parameters)).toBeLessThan(1e-5);
  });

  /** Starts one faulty worker on a mixture distiller and trains until the run rejects. */
  async function faultyRun(
    fault: string,
    job: number,
    timeouts?: DistillWorkersOptions['timeouts'],
  ) {
    const distiller = mixtureDistiller();
    const faults = `${import.meta.resolve('@fdistill/testing/worker-faults')}?fault=${fault}&job=${job}`;
    const shards = await startDistillWorkers({
      distiller,
      helpers: 1,
      imports: [...imports, faults],
      backend,
      ...(timeouts === undefined ? {} : { timeouts }),
    });
    distiller.shareWork(shards);
    const folder = mkdtempSync(join(tmpdir(), 'distill-workers-'));
    const path = join(folder, 'checkpoint.safetensors');
    const started = performance.now();
    try {
      const run = runTraining(distiller, {
        totalSteps: 10,
        checkpoint: checkpointFile(path),
        checkpointEvery: 1,
      });
      const error = await run.then(
        () => undefined,
        (reason: Error) => reason,
      );
      const seconds = (performance.now() - started) / 1000;
      const checkpoint = decodeCheckpoint(readFileSync(path));
      tf.dispose([...checkpoint.tensors.values()]);
      return { message: error?.message, seconds, checkpointStep: checkpoint.state.step };
    } finally {
      shards.dispose();
      disposeDistiller(distiller);
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it('a worker that exits stops the run at once; the checkpoint before stays intact', async () => {
    // Jobs: step 0 generator (logits, gradients), step 1 critic: the third job dies.
    const { message, seconds, checkpointStep } = await faultyRun('exit', 3);
    expect(message).toBe('distill worker 1 exited with code 7 during a critic job');
    expect(seconds).toBeLessThan(10);
    expect(checkpointStep).toBe(1);
  });

  it('a worker that throws outside a job stops the run, naming it', async () => {
    const { message, checkpointStep } = await faultyRun('throw', 3);
    expect(message).toBe('distill worker 1 failed during a critic job: injected worker fault');
    expect(checkpointStep).toBe(1);
  });

  it('a worker that hangs stops the run after a multiple of its earlier job times', async () => {
    // The fourth job is step 2's generator-logits, whose kind step 0 timed.
    const { message, seconds, checkpointStep } = await faultyRun('hang', 4, {
      minimumMs: 1000,
      factor: 5,
    });
    expect(message).toMatch(
      /^distill worker 1 did not answer a generator-logits job within \d+ s \(5 times the longest such job so far\)$/,
    );
    expect(seconds).toBeLessThan(20);
    expect(checkpointStep).toBe(2);
  });

  it('names a network it cannot copy before starting any thread', async () => {
    const distiller = mixtureDistiller();
    // A view of its own (a copy of the adapter's) could compute anything: workers cannot rebuild it.
    const foreign = new Distiller(
      { ...distiller.networks, discriminator: { ...distiller.networks.discriminator } },
      distiller.data,
      distiller.options,
    );
    await expect(
      startDistillWorkers({ distiller: foreign, helpers: 1, imports, backend }),
    ).rejects.toThrow('the discriminator must come from mlpDistillDiscriminator');
    await expect(startDistillWorkers({ distiller, helpers: 0, imports, backend })).rejects.toThrow(
      'options.helpers must be an integer >= 1, got 0',
    );
    foreign.dispose();
    disposeDistiller(distiller);
  });
});
