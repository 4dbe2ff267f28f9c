import { ConvDiscriminator } from '@fdistill/discriminator';
import { UNetDenoiser } from '@fdistill/score';
import * as tf from '@tensorflow/tfjs-core';
import type { DataSource } from './data/data-source.js';
import { teacherFeatureDistillDiscriminator } from './discriminator-adapters.js';
import type { DistillRun } from './distill-run.js';
import { Distiller } from './distiller.js';
import { type DistillRunSettings, distillOptionsOfSettings } from './run-settings.js';
import type { SamplerPairs } from './warm-start.js';

/** An image run's warm start: the student regressed on its teacher's sampler pairs. */
export interface ImageWarmStart {
  /**
   * Draws (or reads from a cache) the pairs; the run frees them after the regression. `signal`
   * is the warm start's: once it is aborted, the regression takes no update, so the pairs may
   * be left partly drawn.
   */
  pairs(signal?: AbortSignal): SamplerPairs | Promise<SamplerPairs>;
  /** Updates of the regression. */
  steps: number;
  /** Peak learning rate (cosine-decayed to 0); default the generator's. */
  learningRate?: number;
  /** Called after each update with the updates done and the batch's loss (progress). */
  onUpdate?: (done: number, loss: number) => void;
}

/** Resolutions of the encoder taps that get a discriminator head (FastGen's CIFAR-10 choice). */
export const IMAGE_HEAD_RESOLUTIONS = [32, 16, 8] as const;

/** Everything an image run trains and measures. */
export type ImageRun = DistillRun<UNetDenoiser, UNetDenoiser>;

/**
 * Builds an image run around a pretrained U-Net `teacher` (frozen here; the run owns it and
 * frees it): student, EMA and fake score initialized from its weights, conv discriminator heads
 * on its encoder taps at 32, 16 and 8 (seed `settings.seed * 16 + 3`), `data` as the real
 * samples, and the `Distiller` with the settings' hyperparameters. Its networks start as copies
 * of the teacher; with `warmStart`, a fresh run first regresses the student (and its EMA) on the
 * teacher's sampler pairs (DMD's regression loss as initialization).
 *
 * @example const run = buildImageRun({ teacher: UNetDenoiser.fromSafetensors(bytes), data, settings });
 */
export function buildImageRun({
  teacher,
  data,
  settings,
  warmStart,
}: {
  teacher: UNetDenoiser;
  data: DataSource;
  settings: DistillRunSettings;
  warmStart?: ImageWarmStart;
}): ImageRun {
  teacher.setTrainable(false);
  const copy = () => {
    const network = new UNetDenoiser(teacher.config);
    network.copyParametersFrom(teacher);
    return network;
  };
  const student = copy();
  const studentEma = copy();
  const fakeScore = copy();
  const heads = new ConvDiscriminator({
    taps: teacher.featureTaps.filter((tap) =>
      (IMAGE_HEAD_RESOLUTIONS as readonly number[]).includes(tap.resolution),
    ),
    seed: settings.seed * 16 + 3,
  });
  const distiller = new Distiller(
    {
      teacher,
      student,
      fakeScore,
      studentEma,
      discriminator: teacherFeatureDistillDiscriminator(teacher, heads),
    },
    data,
    distillOptionsOfSettings(settings),
  );
  return {
    teacher,
    distiller,
    student,
    studentEma,
    ...(warmStart === undefined
      ? {}
      : {
          async warmStart(signal?: AbortSignal) {
            const pairs = await warmStart.pairs(signal);
            try {
              await distiller.regressStudentOnPairs(pairs, {
                steps: warmStart.steps,
                ...(warmStart.learningRate === undefined
                  ? {}
                  : { learningRate: warmStart.learningRate }),
                ...(warmStart.onUpdate ? { onUpdate: warmStart.onUpdate } : {}),
                ...(signal ? { signal } : {}),
              });
            } finally {
              tf.dispose([pairs.latents, pairs.targets, ...(pairs.labels ? [pairs.labels] : [])]);
            }
          },
        }),
    dispose() {
      distiller.dispose();
      for (const module of [teacher, student, studentEma, fakeScore, heads]) module.dispose();
    },
  };
}
