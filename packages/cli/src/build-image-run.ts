import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConvDiscriminator } from '@fdistill/discriminator';
import { UNetDenoiser } from '@fdistill/score';
import {
  Distiller,
  distillOptionsOfSettings,
  teacherFeatureDistillDiscriminator,
} from '@fdistill/trainer';
import { fashionMnistSource } from './fashion-mnist.js';
import { ConfigError, type RunConfig } from './run-config.js';

/** The pretrained Fashion-MNIST teacher shipped with the CLI (see teachers/fashion-mnist/README.md). */
export const SHIPPED_FASHION_MNIST_TEACHER = fileURLToPath(
  new URL('../teachers/fashion-mnist/teacher.safetensors', import.meta.url),
);

/** Resolutions of the encoder taps that get a discriminator head (FastGen's CIFAR-10 choice). */
export const IMAGE_HEAD_RESOLUTIONS = [32, 16, 8] as const;

/** Everything an image run trains and measures. */
export interface ImageRun {
  teacher: UNetDenoiser;
  distiller: Distiller;
  student: UNetDenoiser;
  studentEma: UNetDenoiser;
  dispose(): void;
}

/**
 * Reads a teacher written by `fdistill teacher train --preset fashion-mnist` (its
 * teacher.safetensors); an unreadable or wrong file stops with a `ConfigError` naming it.
 *
 * @example const teacher = loadImageTeacher('runs/teacher-fashion-mnist-seed0/teacher.safetensors');
 */
export function loadImageTeacher(path: string): UNetDenoiser {
  if (!existsSync(path)) throw new ConfigError(`teacher ${path} does not exist`);
  let teacher: UNetDenoiser;
  try {
    teacher = UNetDenoiser.fromSafetensors(readFileSync(path));
  } catch (error) {
    throw new ConfigError(`teacher ${path} is not a U-Net teacher: ${(error as Error).message}`);
  }
  if (
    teacher.classCount !== 10 ||
    teacher.config.imageSize !== 32 ||
    teacher.config.channels !== 1
  ) {
    teacher.dispose();
    throw new ConfigError(
      `teacher ${path} must be a class-conditional (10 classes) 32x32 grey U-Net, as fdistill teacher train --preset fashion-mnist writes`,
    );
  }
  return teacher;
}

/**
 * Builds a Fashion-MNIST run: the frozen teacher (the config's `teacherPath`, or the shipped
 * one), student, EMA and fake score initialized from it, conv discriminator heads on the
 * teacher's encoder taps at 32, 16 and 8, the training set as real data, and the `Distiller`
 * with the config's hyperparameters.
 *
 * @example const run = buildImageRun(resolveRunConfig({ preset: 'fashion-mnist' }));
 */
export function buildImageRun(config: RunConfig): ImageRun {
  if (config.preset !== 'fashion-mnist') {
    throw new Error(`buildImageRun: preset ${config.preset} is not an image preset`);
  }
  const data = fashionMnistSource(config.dataPath as string, 'train');
  const teacher = loadImageTeacher(config.teacherPath ?? SHIPPED_FASHION_MNIST_TEACHER);
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
    seed: config.seed * 16 + 3,
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
    distillOptionsOfSettings(config),
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
