import '@tensorflow/tfjs';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UNetDenoiser } from '@fdistill/score';
import { TINY_UNET } from '@fdistill/testing';
import { useTemporaryCacheFolder } from '@fdistill/testing/cli';
import { buildImageRun, tensorSource } from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets.js';
import type { ImageRunConfig } from './run-config.js';
import { withCachedWarmStart } from './warm-start-cache.js';

const folder = useTemporaryCacheFolder('fdistill-warm-start-cache-');

const network = { ...TINY_UNET, channels: 1, classCount: 10 };
const teacherWeights = new UNetDenoiser(network);

const config: ImageRunConfig = {
  ...(PRESETS['fashion-mnist'] as ImageRunConfig),
  batchSize: 4,
  studentWarmStartSteps: 3,
};

/** An image run around a copy of the tiny teacher, warm-started (with the cache) on fixed pairs. */
function tinyRun(settings: ImageRunConfig, lines: string[]) {
  const teacher = new UNetDenoiser(network);
  teacher.copyParametersFrom(teacherWeights);
  const data = tensorSource(
    tf.randomUniform([16, 8, 8, 1], -1, 1, 'float32', 3),
    tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5], 'int32'),
    10,
  );
  const run = buildImageRun({
    teacher,
    data,
    settings,
    warmStart: {
      steps: settings.studentWarmStartSteps ?? 0,
      learningRate: 1e-3,
      pairs: () => ({
        latents: tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 5),
        labels: tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'),
        targets: tf.randomUniform([8, 8, 8, 1], -1, 1, 'float32', 7),
      }),
    },
  });
  return withCachedWarmStart(run, settings, (line) => lines.push(line));
}

const values = (network: UNetDenoiser) =>
  network.parameters().map((variable) => Array.from(variable.dataSync()));

describe('withCachedWarmStart', { timeout: 60_000 }, () => {
  it('regresses once per teacher, seed and warm-start settings, then reads the same student', async () => {
    const lines: string[] = [];
    const first = tinyRun(config, lines);
    await first.warmStart?.();
    const files = readdirSync(folder).filter((name) => name.startsWith('warm-start-student-'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-seed0-[0-9a-f]{12}\.safetensors$/);
    // The regression moved the student off the teacher's weights.
    expect(values(first.student)).not.toEqual(values(teacherWeights));

    // Another divergence shares the file, and gets the regressed student and its EMA bit for bit.
    const second = tinyRun({ ...config, divergence: 'forward-kl' }, lines);
    await second.warmStart?.();
    expect(lines.at(-1)).toMatch(/^warm start: the regressed student from the cache/);
    expect(values(second.student)).toEqual(values(first.student));
    expect(values(second.studentEma)).toEqual(values(first.student));

    // Another seed or another number of updates regresses again, into its own file.
    for (const other of [
      { ...config, seed: 1 },
      { ...config, studentWarmStartSteps: 4 },
    ]) {
      const run = tinyRun(other, lines);
      await run.warmStart?.();
      run.dispose();
    }
    expect(readdirSync(folder).filter((name) => name.endsWith('.safetensors'))).toHaveLength(3);
    first.dispose();
    second.dispose();
  });

  it('regresses again over a cache file that does not load, and replaces it', async () => {
    const lines: string[] = [];
    const reference = tinyRun(config, lines);
    await reference.warmStart?.();
    const [name] = readdirSync(folder).filter((file) => file.includes('-seed0-'));
    writeFileSync(join(folder, name as string), 'not safetensors');
    const run = tinyRun({ ...config, studentWarmStartSteps: 3 }, lines);
    await run.warmStart?.();
    expect(lines.some((line) => line.endsWith('does not load; regressing again'))).toBe(true);
    expect(values(run.student)).toEqual(values(reference.student));
    const again = tinyRun(config, lines);
    await again.warmStart?.();
    expect(lines.at(-1)).toMatch(/^warm start: the regressed student from the cache/);
    for (const each of [reference, run, again]) each.dispose();
  });

  it('writes nothing when the warm start was stopped', async () => {
    const lines: string[] = [];
    const before = readdirSync(folder).length;
    const run = tinyRun({ ...config, seed: 9 }, lines);
    const controller = new AbortController();
    controller.abort();
    await run.warmStart?.(controller.signal);
    expect(readdirSync(folder).length).toBe(before);
    run.dispose();
  });
});
