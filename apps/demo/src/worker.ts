/// <reference lib="webworker" />
// The training worker: builds the exact mixture teacher and the f-distill loop from
// @fdistill/trainer, runs it off the main thread and posts steps and evaluations to the page.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import { selectBackend } from '@fdistill/backend';
import { mixtureModeMetrics } from '@fdistill/eval';
import {
  buildMixtureRun,
  type MixtureRun,
  type MixtureRunSettings,
  warmStartMixtureRun,
} from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { StepPoint, WorkerEvent, WorkerRequest } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

const post = (event: WorkerEvent) => self.postMessage(event);
let ready: Promise<void> | undefined;
let current: { runId: number; run: MixtureRun; paused: boolean; stopped: boolean } | undefined;
let wake: (() => void) | undefined;

/** Rows of a [n, 2] tensor, read and freed. */
function rows(tensor: tf.Tensor): number[][] {
  const data = tensor.dataSync();
  tensor.dispose();
  const out: number[][] = [];
  for (let index = 0; index < data.length; index += 2) {
    out.push([data[index] as number, data[index + 1] as number]);
  }
  return out;
}

/** Lets the worker read its messages (pause, reset) between chunks of steps. */
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function evaluate(
  runId: number,
  run: MixtureRun,
  settings: MixtureRunSettings,
  step: number,
  sampleCount: number,
): void {
  // Fixed latents (seed 12345) so successive evaluations show the same points moving.
  const samples = rows(
    tf.tidy(() =>
      run.distiller.generate(
        tf.randomNormal([sampleCount, 2], 0, 1, 'float32', 12345),
        undefined,
        run.studentEma,
      ),
    ),
  );
  const metrics = mixtureModeMetrics(samples, run.teacher);
  const { weight } = run.distiller.weightingOfSamples(1024, 777 + step);
  const mean = weight.reduce((sum, value) => sum + value, 0) / weight.length;
  post({
    type: 'evaluation',
    runId,
    step,
    mixture: settings.mixture,
    divergence: settings.divergence,
    seed: settings.seed,
    samples,
    modesCaptured: metrics.modesCaptured,
    modeCount: run.teacher.weights.length,
    highQualityFraction: metrics.highQualityFraction,
    modeKlDivergence: metrics.modeKlDivergence,
    normalizedWeights: weight.map((value) => (mean > 0 ? value / mean : value)),
  });
}

async function train(request: Extract<WorkerRequest, { type: 'start' }>): Promise<void> {
  const { runId, settings, totalSteps, evaluateEvery, sampleCount } = request;
  post({ type: 'phase', runId, phase: 'building', detail: 'building the networks' });
  const run = buildMixtureRun(settings);
  const state = { runId, run, paused: false, stopped: false };
  current = state;
  try {
    post({ type: 'teacher', runId, samples: rows(run.teacher.sample(sampleCount, 1)) });
    const started = performance.now();
    post({
      type: 'phase',
      runId,
      phase: 'warm-start',
      detail: `fitting the student to the teacher's sampler (${settings.studentWarmStartSteps} updates on ${settings.studentWarmStartPairs} pairs)`,
    });
    await yieldToMessages();
    warmStartMixtureRun(run, { ...settings, fakeScorePrefitSteps: 0 });
    if (state.stopped) return;
    post({
      type: 'phase',
      runId,
      phase: 'prefit',
      detail: `fitting the fake score to the student (${settings.fakeScorePrefitSteps} updates); warm start took ${((performance.now() - started) / 1000).toFixed(1)} s`,
    });
    await yieldToMessages();
    warmStartMixtureRun(run, { ...settings, studentWarmStartSteps: 0 });
    if (state.stopped) return;
    evaluate(runId, run, settings, 0, sampleCount);
    let step = 0;
    while (step < totalSteps) {
      if (state.stopped) return;
      if (state.paused) {
        post({ type: 'phase', runId, phase: 'paused', detail: `paused at step ${step}` });
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      post({ type: 'phase', runId, phase: 'distilling', detail: `step ${step} of ${totalSteps}` });
      const points: StepPoint[] = [];
      const chunkEnd = Math.min(totalSteps, step + 10);
      for (; step < chunkEnd; step++) {
        const event = run.distiller.step();
        points.push({
          step: event.step,
          phase: event.phase,
          generator: event.losses.generator,
          fakeScore: event.losses.fakeScore,
          discriminator: event.losses.discriminator,
          weightMean: event.weight?.mean,
          seconds: event.seconds,
        });
      }
      post({ type: 'steps', runId, points });
      if (step % evaluateEvery === 0 || step === totalSteps) {
        evaluate(runId, run, settings, step, sampleCount);
      }
      await yieldToMessages();
    }
    post({
      type: 'phase',
      runId,
      phase: 'done',
      detail: `done: ${totalSteps} steps; ${tf.memory().numTensors} tensors held`,
    });
  } catch (error) {
    post({ type: 'error', runId, message: error instanceof Error ? error.message : String(error) });
  } finally {
    if (current === state) current = undefined;
    run.dispose();
  }
}

function stopCurrent(): void {
  if (current) current.stopped = true;
  wake?.();
  wake = undefined;
}

self.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  if (request.type === 'init') {
    ready = selectBackend(request.backend as 'auto', { wasmPaths: request.wasmPaths }).then(
      ({ name, reason }) => post({ type: 'backend', name, reason }),
    );
    ready.catch((error) =>
      post({ type: 'error', runId: 0, message: `backend: ${(error as Error).message}` }),
    );
  } else if (request.type === 'start') {
    stopCurrent();
    await ready;
    // A run that was stopped frees its tensors in its own finally; wait for it to unwind.
    while (current) await yieldToMessages();
    await train(request);
  } else if (request.type === 'pause') {
    if (current) current.paused = true;
  } else if (request.type === 'resume') {
    if (current) current.paused = false;
    wake?.();
    wake = undefined;
  } else if (request.type === 'reset') {
    stopCurrent();
    post({ type: 'phase', runId: 0, phase: 'idle', detail: 'reset' });
  }
};
