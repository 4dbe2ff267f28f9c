/// <reference lib="webworker" />
// The training worker: builds the exact mixture teacher and the f-distill loop from
// @fdistill/trainer (the same `buildMixtureRun` and `distill` the CLI calls), runs it off the
// main thread and posts steps and evaluations to the page.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-webgl';
import { type BackendName, selectBackend } from '@fdistill/backend';
import { mixtureModeMetrics } from '@fdistill/eval';
import {
  buildMixtureRun,
  type DistillStepEvent,
  distill,
  type MixtureRun,
  type MixtureRunSettings,
  memoryCheckpointStore,
} from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { StepPoint, WorkerEvent, WorkerRequest } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

const post = (event: WorkerEvent) => self.postMessage(event);
let ready: Promise<unknown> = Promise.resolve();

/** The run in progress: `controller` aborts its `distill` call (pause, restart, reset). */
interface Current {
  runId: number;
  controller: AbortController;
  paused: boolean;
  stopped: boolean;
  wake?: () => void;
  finished: Promise<void>;
}
let current: Current | undefined;

/** Rows of a [n, 2] tensor, read (without blocking: GPU backends) and freed. */
async function rows(tensor: tf.Tensor): Promise<number[][]> {
  const data = await tensor.data();
  tensor.dispose();
  const out: number[][] = [];
  for (let index = 0; index < data.length; index += 2) {
    out.push([data[index] as number, data[index + 1] as number]);
  }
  return out;
}

/** Lets the worker read its messages before a long synchronous phase. */
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Measures the EMA student as the CLI's summary does: `sampleCount` one-step samples from the
 * latents of `seed + 1_000_003`, a mode captured with at least 20 high-quality samples per 2,500.
 */
async function evaluate(
  runId: number,
  run: MixtureRun,
  settings: MixtureRunSettings,
  step: number,
  sampleCount: number,
): Promise<void> {
  const samples = await rows(
    tf.tidy(() =>
      run.distiller.generate(
        tf.randomNormal([sampleCount, 2], 0, 1, 'float32', settings.seed + 1_000_003),
        undefined,
        run.studentEma,
      ),
    ),
  );
  const minimumCount = Math.max(1, Math.round((20 * sampleCount) / 2500));
  const metrics = mixtureModeMetrics(samples, run.teacher, { minimumCount });
  const { weight } = await run.distiller.weightingOfSamples(1024, 777 + step);
  const mean = weight.reduce((sum, value) => sum + value, 0) / weight.length;
  post({
    type: 'evaluation',
    runId,
    step,
    mixture: settings.mixture,
    divergence: settings.divergence,
    seed: settings.seed,
    samples,
    minimumCount,
    modesCaptured: metrics.modesCaptured,
    modeCount: run.teacher.weights.length,
    highQualityFraction: metrics.highQualityFraction,
    modeKlDivergence: metrics.modeKlDivergence,
    normalizedWeights: weight.map((value) => (mean > 0 ? value / mean : value)),
  });
}

async function train(
  request: Extract<WorkerRequest, { type: 'start' }>,
  state: Current,
): Promise<void> {
  const { runId, settings, totalSteps, evaluateEvery, sampleCount } = request;
  post({ type: 'phase', runId, phase: 'building', detail: 'building the networks' });
  await yieldToMessages();
  if (state.stopped) return;
  const run = buildMixtureRun(settings);
  const checkpoint = memoryCheckpointStore();
  let pending: StepPoint[] = [];
  const onStep = async (event: DistillStepEvent) => {
    pending.push({
      step: event.step,
      phase: event.phase,
      generator: event.losses.generator,
      fakeScore: event.losses.fakeScore,
      discriminator: event.losses.discriminator,
      weightMean: event.weight?.mean,
      seconds: event.seconds,
    });
    const done = event.step + 1;
    if (pending.length >= 10 || done === totalSteps) {
      post({ type: 'steps', runId, points: pending });
      pending = [];
      post({
        type: 'phase',
        runId,
        phase: 'distilling',
        detail: `step ${done} of ${totalSteps}`,
      });
    }
    if (done % evaluateEvery === 0 || done === totalSteps) {
      await evaluate(runId, run, settings, done, sampleCount);
    }
  };
  try {
    post({ type: 'teacher', runId, samples: await rows(run.teacher.sample(sampleCount, 1)) });
    const started = performance.now();
    let fresh = true;
    while (run.distiller.steps < totalSteps && !state.stopped) {
      if (state.paused) {
        post({
          type: 'phase',
          runId,
          phase: 'paused',
          detail: `paused at step ${run.distiller.steps}`,
        });
        await new Promise<void>((resolve) => {
          state.wake = resolve;
        });
        continue;
      }
      state.controller = new AbortController();
      // The first call warm-starts (student to the teacher's sampler, then the fake score to
      // the student) exactly as `fdistill distill` does; after a pause it continues the steps.
      await distill(fresh ? run : { distiller: run.distiller }, {
        totalSteps,
        checkpoint,
        checkpointEvery: 100,
        onStep,
        signal: state.controller.signal,
        onWarmStart: () =>
          post({
            type: 'phase',
            runId,
            phase: 'warm-start',
            detail: `warm start: fitting the student to the teacher's sampler (${settings.studentWarmStartSteps} updates on ${settings.studentWarmStartPairs} pairs), then the fake score to the student (${settings.fakeScorePrefitSteps})…`,
          }),
      });
      if (fresh) {
        fresh = false;
        post({
          type: 'log',
          runId,
          message: `warm start and first steps: ${((performance.now() - started) / 1000).toFixed(1)} s`,
        });
      }
      if (pending.length > 0) {
        post({ type: 'steps', runId, points: pending });
        pending = [];
      }
    }
    if (state.stopped) return;
    post({
      type: 'phase',
      runId,
      phase: 'done',
      detail: `done: ${totalSteps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    });
  } catch (error) {
    post({ type: 'error', runId, message: error instanceof Error ? error.message : String(error) });
  } finally {
    run.dispose();
  }
}

/** Stops the current run (its `distill` returns after the step in progress); resolves once freed. */
async function stopCurrent(): Promise<void> {
  const state = current;
  if (!state) return;
  state.stopped = true;
  state.controller.abort();
  state.wake?.();
  await state.finished;
  if (current === state) current = undefined;
}

self.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  if (request.type === 'init') {
    ready = selectBackend(request.backend as BackendName | 'auto', {
      wasmPaths: request.wasmPaths,
    }).then(
      ({ name, reason }) => post({ type: 'backend', name, reason }),
      (error: Error) => post({ type: 'error', runId: 0, message: `backend: ${error.message}` }),
    );
  } else if (request.type === 'start') {
    await stopCurrent();
    await ready;
    const state: Current = {
      runId: request.runId,
      controller: new AbortController(),
      paused: false,
      stopped: false,
      finished: Promise.resolve(),
    };
    current = state;
    state.finished = train(request, state);
  } else if (request.type === 'pause') {
    if (current) {
      current.paused = true;
      current.controller.abort();
    }
  } else if (request.type === 'resume') {
    if (current) {
      current.paused = false;
      current.wake?.();
    }
  } else if (request.type === 'reset') {
    await stopCurrent();
    post({ type: 'phase', runId: 0, phase: 'idle', detail: 'reset' });
  }
};
