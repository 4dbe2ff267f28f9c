import '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { UNetDenoiser } from '@fdistill/score';
import type { ImageRun } from '@fdistill/trainer';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImageRunOfConfig } from './build-run.js';
import { FASHION_MNIST_FILES, FASHION_MNIST_PATH } from './fashion-mnist.js';
import { PRESETS } from './presets.js';

const values = (network: UNetDenoiser) =>
  network.parameters().map((variable) => Array.from(variable.dataSync()));

describe('buildImageRunOfConfig', { timeout: 120_000 }, () => {
  let run: ImageRun | undefined;
  afterEach(() => run?.dispose());

  it.skipIf(!existsSync(join(FASHION_MNIST_PATH, FASHION_MNIST_FILES.trainImages)))(
    'fits the fake score to the student before distilling with fakeScorePrefitSteps, and leaves the student alone',
    async () => {
      run = buildImageRunOfConfig({
        ...PRESETS['fashion-mnist'],
        batchSize: 2,
        studentWarmStartSteps: 0,
        fakeScorePrefitSteps: 2,
      });
      const student = values(run.student);
      const fakeScore = values(run.distiller.networks.fakeScore as UNetDenoiser);
      expect(fakeScore).toEqual(student);
      await run.warmStart?.();
      expect(values(run.student)).toEqual(student);
      expect(values(run.distiller.networks.fakeScore as UNetDenoiser)).not.toEqual(fakeScore);
    },
  );

  it('starts at once without a warm start or a prefit', () => {
    run = buildImageRunOfConfig({ ...PRESETS['fashion-mnist'], studentWarmStartSteps: 0 });
    expect(run.warmStart).toBeUndefined();
  });
});
