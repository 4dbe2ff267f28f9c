import '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { heunSampler, UNetDenoiser } from '@fdistill/score';
import { TINY_UNET } from '@fdistill/testing';
import { useTemporaryCacheFolder } from '@fdistill/testing/cli';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { toPixelLevels } from './pixel-levels.js';
import { cachedSamplerPairs } from './sampler-pairs.js';

const folder = useTemporaryCacheFolder('fdistill-sampler-pairs-');

/** The teacher's 2-step Heun solutions for `latents` and `labels`, as the 8-bit levels a target holds. */
function heunTargets(teacher: UNetDenoiser, latents: tf.Tensor, labels: tf.Tensor1D): number[] {
  return tf.tidy(() => {
    const { samples } = heunSampler(teacher, { noise: latents, labels, steps: 2 });
    return Array.from(toPixelLevels(samples.dataSync() as Float32Array), (l) => l / 127.5 - 1);
  });
}

describe('cachedSamplerPairs', { timeout: 60_000 }, () => {
  // Seed 0 too: tfjs's random ops draw afresh for a seed of 0, and the latents must not.
  it("draws the teacher's Heun solutions for balanced labels once, then reads the same pairs from the cache", async () => {
    const teacher = new UNetDenoiser({ ...TINY_UNET, channels: 1, classCount: 10 });
    const lines: string[] = [];
    const first = await cachedSamplerPairs(teacher, {
      count: 12,
      seed: 0,
      solverSteps: 2,
      report: (line) => lines.push(line),
    });
    expect(readdirSync(folder).filter((name) => name.endsWith('.npz'))).toHaveLength(1);
    expect(Array.from(first.labels.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // The targets are the sampler's solutions for those latents and labels, as 8-bit levels.
    const expected = heunTargets(teacher, first.latents, first.labels);
    const targets = Array.from(first.targets.dataSync());
    const largest = Math.max(
      ...targets.map((value, index) => Math.abs(value - (expected[index] as number))),
    );
    expect(largest).toBeLessThan(1e-6);
    const second = await cachedSamplerPairs(teacher, {
      count: 12,
      seed: 0,
      solverSteps: 2,
      report: (line) => lines.push(line),
    });
    expect(lines.at(-1)).toMatch(/^sampler pairs: 12 from the cache/);
    expect(Array.from(second.targets.dataSync())).toEqual(targets);
    expect(Array.from(second.latents.dataSync())).toEqual(Array.from(first.latents.dataSync()));
    expect(existsSync(folder)).toBe(true);
    tf.dispose([
      first.latents,
      first.labels,
      first.targets,
      second.latents,
      second.labels,
      second.targets,
    ]);
    teacher.dispose();
  });

  it('takes the first pairs from a cached file of the same latents with another count and draws only the rest, on two threads', async () => {
    const teacher = new UNetDenoiser({ ...TINY_UNET, channels: 1, classCount: 10, seed: 3 });
    const pixels = 8 * 8;
    const lines: string[] = [];
    const report = (line: string) => lines.push(line);
    const small = await cachedSamplerPairs(teacher, { count: 6, seed: 2, solverSteps: 2, report });
    lines.length = 0;
    // 19 new pairs: chunks of 8 from pair 6, two at a time, then the last one alone.
    const large = await cachedSamplerPairs(teacher, {
      count: 25,
      seed: 2,
      solverSteps: 2,
      threads: 2,
      chunkSize: 8,
      report,
    });
    expect(lines[0]).toMatch(/^sampler pairs: the first 6 from the cache \(.*-n6-/);
    expect(
      lines
        .filter((line) => line.startsWith('sampler pairs (Heun'))
        .map((line) => line.split(',')[1]),
    ).toEqual([' 2 threads): 22/25', ' 2 threads): 25/25']);
    // Each chunk holds the sampler's solutions for its latents; the first rows are the small set's.
    const targets = Array.from(large.targets.dataSync());
    for (const [start, end] of [
      [6, 14],
      [14, 22],
      [22, 25],
    ] as const) {
      const expected = tf.tidy(() =>
        heunTargets(
          teacher,
          tf.slice(large.latents, [start, 0, 0, 0], [end - start, -1, -1, -1]),
          tf.slice(large.labels, [start], [end - start]),
        ),
      );
      const rows = targets.slice(start * pixels, end * pixels);
      expect(
        Math.max(...rows.map((value, i) => Math.abs(value - (expected[i] as number)))),
      ).toBeLessThan(1e-6);
    }
    expect(targets.slice(0, 6 * pixels)).toEqual(Array.from(small.targets.dataSync()));
    expect(Array.from(large.latents.dataSync()).slice(0, 6 * pixels)).toEqual(
      Array.from(small.latents.dataSync()),
    );
    // A smaller count reads the first rows of the largest file without drawing.
    lines.length = 0;
    const fewer = await cachedSamplerPairs(teacher, { count: 4, seed: 2, solverSteps: 2, report });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sampler pairs: 4 from the cache \(.*-n25-/);
    expect(Array.from(fewer.targets.dataSync())).toEqual(targets.slice(0, 4 * pixels));
    tf.dispose(
      [small, large, fewer].flatMap((pairs) => [pairs.latents, pairs.labels, pairs.targets]),
    );
    teacher.dispose();
  });

  it('stopped by its signal, keeps the pairs drawn so far, and the next call draws only the rest', async () => {
    const teacher = new UNetDenoiser({ ...TINY_UNET, channels: 1, classCount: 10, seed: 4 });
    const controller = new AbortController();
    const lines: string[] = [];
    // Aborted after the first chunk of 4: 4 of 10 pairs are drawn and cached.
    const stopped = await cachedSamplerPairs(teacher, {
      count: 10,
      seed: 3,
      solverSteps: 2,
      chunkSize: 4,
      signal: controller.signal,
      report: (line) => {
        lines.push(line);
        if (line.startsWith('sampler pairs (Heun')) controller.abort();
      },
    });
    expect(lines.at(-1)).toMatch(/^sampler pairs: stopped; the first 4 cached in .*-n4-/);
    lines.length = 0;
    const resumed = await cachedSamplerPairs(teacher, {
      count: 10,
      seed: 3,
      solverSteps: 2,
      chunkSize: 4,
      report: (line) => lines.push(line),
    });
    expect(lines[0]).toMatch(/^sampler pairs: the first 4 from the cache/);
    expect(lines.filter((line) => line.startsWith('sampler pairs (Heun'))).toHaveLength(2);
    const pixels = 8 * 8;
    expect(Array.from(resumed.targets.dataSync()).slice(0, 4 * pixels)).toEqual(
      Array.from(stopped.targets.dataSync()).slice(0, 4 * pixels),
    );
    tf.dispose([stopped, resumed].flatMap((pairs) => [pairs.latents, pairs.labels, pairs.targets]));
    teacher.dispose();
  });
});
