import { ConvDiscriminator } from '@fdistill/discriminator';
import { UNetDenoiser } from '@fdistill/score';
import type { DataSource } from './data/data-source.js';
import { teacherFeatureDistillDiscriminator } from './discriminator-adapters.js';
import type { DistillRun } from './distill-run.js';
import { Distiller } from './distiller.js';
import { type DistillRunSettings, distillOptionsOfSettings } from './run-settings.js';

/** Resolutions of the encoder taps that get a discriminator head (FastGen's CIFAR-10 choice). */
export const IMAGE_HEAD_RESOLUTIONS = [32, 16, 8] as const;

/** Everything an image run trains and measures. */
export type ImageRun = DistillRun<UNetDenoiser, UNetDenoiser>;

/**
 * Builds an image run around a pretrained U-Net `teacher` (frozen here; the run owns it and
 * frees it): student, EMA and fake score initialized from its weights, conv discriminator heads
 * on its encoder taps at 32, 16 and 8 (seed `settings.seed * 16 + 3`), `data` as the real
 * samples, and the `Distiller` with the settings' hyperparameters. It has no warm start: its
 * networks start as copies of the teacher.
 *
 * @example const run = buildImageRun({ teacher: UNetDenoiser.fromSafetensors(bytes), data, settings });
 */
export function buildImageRun({
  teacher,
  data,
  settings,
}: {
  teacher: UNetDenoiser;
  data: DataSource;
  settings: DistillRunSettings;
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
    dispose() {
      distiller.dispose();
      for (const module of [teacher, student, studentEma, fakeScore, heads]) module.dispose();
    },
  };
}
