import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GuidedDenoiser, heunSampler, UNetDenoiser } from '@fdistill/score';
import { TINY_CONDITIONAL_UNET } from '@fdistill/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SamplerChunk } from './sampler-worker-protocol.js';
import { startSamplerWorkers, type TeacherSamplers } from './sampler-workers.js';
import { solveChunk } from './solve-chunk.js';

const backend = { module: import.meta.resolve('@fdistill/testing/plain-backend'), name: 'cpu' };
const imports = [import.meta.resolve('@tensorflow/tfjs')];

/** V8's full garbage collection, reached without starting node with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** A chunk of `size` noise images for the tiny teacher, labels alternating 0 and 1. */
function chunk(size: number, seed: number): SamplerChunk {
  const shape = [size, 8, 8, 1];
  return {
    noise: tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array),
    shape,
    labels: Int32Array.from({ length: size }, (_, index) => index % 2),
    steps: 3,
    guidanceScale: 1.5,
  };
}

/**
 * Runs `jobs` rounds of two one-image chunks and returns weak references to the helper's
 * answers (in a function of its own, so that no frame of the test holds the last one).
 */
async function helperAnswers(
  samplers: TeacherSamplers,
  jobs: number,
): Promise<WeakRef<Float32Array>[]> {
  const answers: WeakRef<Float32Array>[] = [];
  for (let job = 0; job < jobs; job++) {
    const [, helper] = await samplers.solve([chunk(1, 2 * job + 1), chunk(1, 2 * job + 2)]);
    answers.push(new WeakRef(helper as Float32Array));
  }
  return answers;
}

describe('startSamplerWorkers', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("solves chunks on two threads as the guided teacher's Heun sampler does on one", async () => {
    const teacher = new UNetDenoiser({ ...TINY_CONDITIONAL_UNET, channels: 1, seed: 5 });
    const chunks = [chunk(3, 1), chunk(2, 2)];
    const samplers = await startSamplerWorkers({ teacher, helpers: 1, imports, backend });
    try {
      expect(samplers.threads).toBe(2);
      const solved = await samplers.solve(chunks);
      // The same numbers as the sampler itself on this thread, chunk by chunk.
      chunks.forEach((each, index) => {
        const expected = tf.tidy(() =>
          Array.from(
            heunSampler(new GuidedDenoiser(teacher, 1.5), {
              noise: tf.tensor(each.noise, each.shape),
              labels: tf.tensor1d(each.labels as Int32Array, 'int32'),
              steps: 3,
            }).samples.dataSync(),
          ),
        );
        expect(Array.from(solved[index] as Float32Array)).toEqual(expected);
      });
      // A chunk's solution is the same on either thread; a lone chunk stays on this one.
      const [alone] = await samplers.solve([chunks[1] as SamplerChunk]);
      expect(alone).toEqual(solved[1]);
      expect(solveChunk(teacher, chunks[0] as SamplerChunk)).toEqual(solved[0]);
      await expect(samplers.solve([...chunks, chunk(1, 3)])).rejects.toThrow(
        'at most 2 chunks at once, got 3',
      );
    } finally {
      samplers.dispose();
      teacher.dispose();
    }
  });

  it('names bad options before starting any thread', async () => {
    const teacher = new UNetDenoiser({ ...TINY_CONDITIONAL_UNET, channels: 1 });
    await expect(startSamplerWorkers({ teacher, helpers: 0, imports, backend })).rejects.toThrow(
      'startSamplerWorkers: options.helpers must be an integer >= 1, got 0',
    );
    await expect(
      startSamplerWorkers({ teacher: {} as UNetDenoiser, helpers: 1, imports, backend }),
    ).rejects.toThrow('startSamplerWorkers: teacher must be a UNetDenoiser');
    teacher.dispose();
  });

  // A job's answer must not outlive its caller's use of it: two threads held every f-distill
  // step's slices this way, about 1 MB a step (21.8 GB of RSS after 20,000 steps).
  it("lets a helper's answer be collected once the caller drops it", async () => {
    const teacher = new UNetDenoiser({ ...TINY_CONDITIONAL_UNET, channels: 1, seed: 5 });
    const samplers = await startSamplerWorkers({ teacher, helpers: 1, imports, backend });
    try {
      const answers = await helperAnswers(samplers, 3);
      // WeakRefs hold their targets until the current job of the event loop ends.
      await new Promise((resolve) => setTimeout(resolve, 10));
      collectGarbage();
      expect(answers.map((answer) => answer.deref())).toEqual([undefined, undefined, undefined]);
    } finally {
      samplers.dispose();
      teacher.dispose();
    }
  });
});
