import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memoryCheckpointStore } from './checkpoint-store.js';
import {
  buildMixtureRun,
  MIXTURE_RUN_SETTINGS,
  type MixtureRunSettings,
  mixtureTeacher,
} from './mixture-run.js';
import { distill } from './train-functions.js';

/** ring8 with small networks and a short warm start, so a test takes a second. */
const small: MixtureRunSettings = {
  ...MIXTURE_RUN_SETTINGS.ring8,
  batchSize: 32,
  networkWidth: 16,
  networkDepth: 2,
  discriminatorWidth: 16,
  discriminatorDepth: 2,
  studentWarmStartSteps: 5,
  studentWarmStartPairs: 64,
  fakeScorePrefitSteps: 3,
};

/** The losses of the first `steps` steps after the warm start. */
async function lossesOfRun(settings: MixtureRunSettings, steps: number): Promise<number[]> {
  const run = buildMixtureRun(settings);
  try {
    await run.warmStart?.();
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      losses.push(...Object.values((await run.distiller.step()).losses).map(Number));
    }
    return losses;
  } finally {
    run.dispose();
  }
}

describe('mixture runs', () => {
  it('have the exact ring8 and grid25 teachers', () => {
    const ring = mixtureTeacher('ring8');
    expect(ring.weights.map((weight) => weight * 11)).toEqual(
      [4, 1, 1, 1, 1, 1, 1, 1].map((w) => expect.closeTo(w, 12)),
    );
    expect(ring.means[2]?.map((value) => Math.round(value * 1e12) / 1e12)).toEqual([0, 1]);
    const grid = mixtureTeacher('grid25');
    expect(grid.means.length).toBe(25);
    expect(() => mixtureTeacher('ring9' as never)).toThrow(
      'mixtureTeacher: name must be "ring8" or "grid25", got ring9',
    );
  });

  it('repeat step for step from the same settings, and differ with another seed', async () => {
    const first = await lossesOfRun(small, 3);
    expect(first.every(Number.isFinite)).toBe(true);
    expect(await lossesOfRun(small, 3)).toEqual(first);
    expect(await lossesOfRun({ ...small, seed: 1 }, 3)).not.toEqual(first);
  });

  it('free every tensor they made on dispose', async () => {
    const before = tf.memory().numTensors;
    await lossesOfRun(small, 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('distill', () => {
  const parameters = (run: ReturnType<typeof buildMixtureRun>) =>
    run.student.parameters().map((variable) => Array.from(variable.dataSync()));

  it('warm-starts a fresh run; stopped and resumed, it ends where a straight run does', async () => {
    const straight = buildMixtureRun(small);
    let warmStarts = 0;
    await distill(straight, {
      totalSteps: 6,
      onWarmStart: () => warmStarts++,
    });
    expect(warmStarts).toBe(1);

    const checkpoint = memoryCheckpointStore();
    const controller = new AbortController();
    const first = buildMixtureRun(small);
    const stopped = await distill(first, {
      totalSteps: 6,
      checkpoint,
      signal: controller.signal,
      onStep: (event) => event.step === 2 && controller.abort(),
    });
    expect(stopped).toEqual({ steps: 3, interrupted: true, rollbacks: 0 });
    const resumed = buildMixtureRun(small);
    const resumedAt: number[] = [];
    await distill(resumed, {
      totalSteps: 6,
      checkpoint,
      resume: true,
      onResume: (state) => resumedAt.push(state.step as number),
      onWarmStart: () => warmStarts++,
    });
    expect(resumedAt).toEqual([3]);
    // A resumed run takes its weights from the checkpoint: no second warm start.
    expect(warmStarts).toBe(1);
    expect(parameters(resumed)).toEqual(parameters(straight));
    for (const run of [straight, first, resumed]) run.dispose();
  });

  it('stops during a long warm start when a timer aborts it, without a checkpoint', async () => {
    // The abort comes from a timer, as Ctrl-C's handler does: the regression must yield to it.
    const run = buildMixtureRun({ ...small, studentWarmStartSteps: 100_000 });
    const checkpoint = memoryCheckpointStore();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 200);
    const steps: number[] = [];
    const stopped = await distill(run, {
      totalSteps: 6,
      checkpoint,
      signal: controller.signal,
      onStep: (event) => steps.push(event.step),
    });
    clearTimeout(timer);
    expect(stopped).toEqual({ steps: 0, interrupted: true, rollbacks: 0 });
    expect(steps).toEqual([]);
    expect(checkpoint.read()).toBeUndefined();
    run.dispose();
  });

  it('starts at once when the run has no warm start', async () => {
    const run = buildMixtureRun({ ...small, studentWarmStartSteps: 0, fakeScorePrefitSteps: 0 });
    expect(run.warmStart).toBeUndefined();
    let warmStarts = 0;
    await distill(run, { totalSteps: 1, onWarmStart: () => warmStarts++ });
    expect(warmStarts).toBe(0);
    run.dispose();
  });

  it('refuses to resume without a checkpoint store', async () => {
    const run = buildMixtureRun(small);
    await expect(distill(run, { totalSteps: 1, resume: true })).rejects.toThrow(
      'distill: options.resume needs options.checkpoint',
    );
    run.dispose();
  });
});
