import { describe, expect, it } from 'vitest';
import '@tensorflow/tfjs';
import { distillOptionsOfSettings } from '@fdistill/trainer';
import { buildMixtureRunOfConfig } from './build-run.js';
import { aggregateRuns, formatMeanAndSpread, meanAndSpread } from './compare-statistics.js';
import {
  FASHION_MNIST_TEACHER_DEFAULTS,
  validateImageTeacherConfig,
} from './image-teacher-config.js';
import { resolveRunConfig } from './load-config.js';
import { PRESETS } from './presets.js';
import { validateConfigFields } from './run-config.js';

describe('run configs', () => {
  it('checks the fields added for the mixture recipe, naming the field and the expected value', () => {
    expect(() => validateConfigFields({ ratioNormalization: 'no' }, 'run.yaml')).toThrow(
      'run.yaml: ratioNormalization must be true or false, got "no"',
    );
    expect(() => validateConfigFields({ fakeScoreWeighting: 'sigma' }, 'run.yaml')).toThrow(
      'run.yaml: fakeScoreWeighting must be "uniform" or "edm", got "sigma"',
    );
    expect(() => validateConfigFields({ ratioBinSpacing: 'cubic' }, 'run.yaml')).toThrow(
      'run.yaml: ratioBinSpacing must be "linear" or "log", got "cubic"',
    );
    expect(() => validateConfigFields({ ratioBinEmaRate: 1 }, 'run.yaml')).toThrow(
      'run.yaml: ratioBinEmaRate must be a number in [0, 1), got 1',
    );
    expect(() =>
      validateConfigFields({ ratioNormalization: false, ratioBinSpacing: 'log' }, 'run.yaml'),
    ).toThrow('run.yaml: ratioBinSpacing and ratioBinEmaRate set stage one');
    expect(() => validateConfigFields({ studentWarmStartSteps: -1 }, 'run.yaml')).toThrow(
      'run.yaml: studentWarmStartSteps must be an integer >= 0, got -1',
    );
    expect(() => validateConfigFields({ generatorLearningRate: 0 }, 'run.yaml')).toThrow(
      'run.yaml: generatorLearningRate must be a number > 0, got 0',
    );
    // The warm start and the fake score's prefit are fields of both kinds (an image run regresses
    // on sampler pairs, then may fit its fake score to the student).
    expect(
      resolveRunConfig({
        preset: 'fashion-mnist',
        flags: { studentWarmStartSteps: 10, fakeScorePrefitSteps: 5 },
      }),
    ).toMatchObject({
      preset: 'fashion-mnist',
      studentWarmStartSteps: 10,
      fakeScorePrefitSteps: 5,
    });
    expect(() => validateConfigFields({ fakeScorePrefitSteps: -1 }, 'run.yaml')).toThrow(
      'run.yaml: fakeScorePrefitSteps must be',
    );
    expect(() =>
      resolveRunConfig({ preset: 'fashion-mnist', flags: { evaluationEvery: 10 } }),
    ).toThrow(
      'command line: evaluationEvery is a field of the mixture presets (ring8, grid25), not of fashion-mnist runs',
    );
    expect(() => validateConfigFields({ studentInputFeatures: 3 }, 'run.yaml')).toThrow(
      'run.yaml: studentInputFeatures must be an even integer >= 0, got 3',
    );
    expect(() => validateConfigFields({ inputFeatureScale: -1 }, 'run.yaml')).toThrow(
      'run.yaml: inputFeatureScale must be a number > 0, got -1',
    );
    expect(() =>
      resolveRunConfig({ preset: 'fashion-mnist', flags: { fakeScoreInputFeatures: 8 } }),
    ).toThrow(
      'command line: fakeScoreInputFeatures is a field of the mixture presets (ring8, grid25), not of fashion-mnist runs',
    );
  });

  it('checks every kind of config against one field table, the image teacher config too', () => {
    expect(() =>
      resolveRunConfig({ preset: 'ring8', flags: { teacherPath: 'teacher.safetensors' } }),
    ).toThrow(
      'command line: teacherPath is a field of fashion-mnist runs, not of the mixture presets',
    );
    expect(() => validateConfigFields({ preset: 'ring8', sampleEvery: 5 }, 'run.yaml')).toThrow(
      'run.yaml: unknown field "sampleEvery"',
    );
    const teacher = { ...FASHION_MNIST_TEACHER_DEFAULTS };
    expect(validateImageTeacherConfig(teacher, 'config.json')).toEqual(teacher);
    expect(() =>
      validateImageTeacherConfig({ ...teacher, labelDropout: 2 }, 'config.json'),
    ).toThrow('config.json: labelDropout must be a number in [0, 1], got 2');
    expect(() =>
      validateImageTeacherConfig({ ...teacher, divergence: 'js' }, 'config.json'),
    ).toThrow('config.json: unknown field "divergence"');
    const { sampleEvery, ...withoutSampleEvery } = teacher;
    expect(() => validateImageTeacherConfig(withoutSampleEvery, 'config.json')).toThrow(
      'config.json: sampleEvery is missing',
    );
    // No preset inherits another kind's fields.
    expect(Object.keys(PRESETS['fashion-mnist'])).not.toContain('networkWidth');
  });

  it('gives the grid25 student and fake score input Fourier features, the ring8 ones none', () => {
    const grid = buildMixtureRunOfConfig({ ...PRESETS.grid25, networkWidth: 8 });
    const ring = buildMixtureRunOfConfig({ ...PRESETS.ring8, networkWidth: 8 });
    expect(grid.student.config).toMatchObject({ inputFeatures: 256, inputFeatureScale: 4 });
    expect(grid.studentEma.config.inputFeatures).toBe(256);
    expect(ring.student.config.inputFeatures).toBe(0);
    grid.dispose();
    ring.dispose();
  });

  it('maps the config onto the distiller: generator and critic learning rates, weighting, stages', () => {
    const options = distillOptionsOfSettings({
      ...PRESETS.ring8,
      ratioNormalization: false,
      weightNormalization: false,
    });
    expect(options.learningRates).toEqual({
      generator: PRESETS.ring8.generatorLearningRate,
      fakeScore: PRESETS.ring8.learningRate,
      discriminator: PRESETS.ring8.learningRate,
    });
    expect(options).toMatchObject({
      fakeScoreWeighting: 'edm',
      ratioNormalization: false,
      weightNormalization: false,
    });
    // Without generatorLearningRate every network gets learningRate.
    const { generatorLearningRate: _, ...oneRate } = PRESETS['fashion-mnist'];
    const image = distillOptionsOfSettings(oneRate);
    expect(image.learningRates?.generator).toBe(PRESETS['fashion-mnist'].learningRate);
    // The image preset's student learns at its own rate, the critics at learningRate.
    const preset = distillOptionsOfSettings(PRESETS['fashion-mnist']);
    expect(preset.learningRates).toEqual({ generator: 5e-5, fakeScore: 5e-4, discriminator: 5e-4 });
    expect(image.fakeScoreWeighting).toBe('uniform');
    // Stage one's bins: the presets leave FastGen's (empty options: linear, rate 0).
    expect(preset.ratioNormalization).toEqual({});
    const logBins = distillOptionsOfSettings({
      ...PRESETS['fashion-mnist'],
      ratioBinSpacing: 'log',
      ratioBinEmaRate: 0.9,
    });
    expect(logBins.ratioNormalization).toEqual({ binSpacing: 'log', emaRate: 0.9 });
  });
});

describe('compare statistics', () => {
  it('gives the mean and the sample standard deviation (n - 1), as numpy.std(ddof=1)', () => {
    // numpy: np.mean([0.9, 0.85, 0.8]) = 0.85, np.std([0.9, 0.85, 0.8], ddof=1) = 0.05
    const { mean, standardDeviation } = meanAndSpread([0.9, 0.85, 0.8]);
    expect(mean).toBeCloseTo(0.85, 12);
    expect(standardDeviation).toBeCloseTo(0.05, 12);
    expect(meanAndSpread([3])).toEqual({ mean: 3, standardDeviation: 0 });
    expect(formatMeanAndSpread({ mean: 0.912, standardDeviation: 0.0131 }, 3, 5)).toBe(
      '0.912 ± 0.013',
    );
    expect(formatMeanAndSpread({ mean: 0.912, standardDeviation: 0 }, 3, 1)).toBe('0.912');
    const metric = { key: 'recall', title: 'recall', digits: 3, charted: true };
    expect(aggregateRuns([{ recall: 0.8 }, { recall: 0.6 }], [metric]).recall?.mean).toBeCloseTo(
      0.7,
      12,
    );
  });
});
