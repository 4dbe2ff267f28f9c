import { DIVERGENCE_NAMES, parseDivergence } from '@fdistill/divergence';
import type { MixtureRunSettings } from '@fdistill/trainer';

/** The two-dimensional mixture presets, with the exact teacher. */
export const MIXTURE_PRESETS = ['ring8', 'grid25'] as const;

/** Every preset name. */
export const PRESET_NAMES = [...MIXTURE_PRESETS, 'fashion-mnist'] as const;

/** A preset name. */
export type PresetName = (typeof PRESET_NAMES)[number];

/** Extra weightings `fdistill` accepts besides the named divergences. */
export const EXTRA_DIVERGENCES = ['gan-only'] as const;

/**
 * Everything that sets up a distillation run; a preset fills every field. The hyperparameters
 * and network sizes are the trainer's `MixtureRunSettings` (the image preset uses the
 * distillation fields and ignores the MLP sizes).
 */
export interface RunConfig extends Omit<MixtureRunSettings, 'mixture'> {
  preset: PresetName;
  /** Samples drawn from teacher and student for the final evaluation. */
  evaluationSamples: number;
  /**
   * Mixture presets: every this many steps, the EMA student's modes, high-quality share and mode
   * KL (1,000 samples) go into metrics.jsonl as a `phase: 'evaluation'` line; 0 turns it off.
   */
  evaluationEvery: number;
  checkpointEvery: number;
  /** Fashion-MNIST: folder of the IDX files. */
  dataPath?: string;
  /** Fashion-MNIST: a teacher.safetensors written by `fdistill teacher train`; default the shipped teacher. */
  teacherPath?: string;
}

type FieldKind =
  | 'integer'
  | 'count'
  | 'positive'
  | 'non-negative'
  | 'string'
  | 'fraction'
  | 'boolean';

const FIELDS: Record<Exclude<keyof RunConfig, 'preset'>, FieldKind> = {
  divergence: 'string',
  steps: 'integer',
  batchSize: 'integer',
  seed: 'count',
  fakeUpdateFrequency: 'integer',
  ganWeight: 'non-negative',
  learningRate: 'positive',
  generatorLearningRate: 'positive',
  r1Gamma: 'non-negative',
  emaDecay: 'fraction',
  networkWidth: 'integer',
  networkDepth: 'integer',
  studentInputFeatures: 'count',
  fakeScoreInputFeatures: 'count',
  inputFeatureScale: 'positive',
  discriminatorWidth: 'integer',
  discriminatorDepth: 'integer',
  studentWarmStartSteps: 'count',
  studentWarmStartPairs: 'integer',
  studentWarmStartLearningRate: 'positive',
  fakeScorePrefitSteps: 'count',
  fakeScoreWeighting: 'string',
  ratioNormalization: 'boolean',
  weightNormalization: 'boolean',
  evaluationSamples: 'integer',
  evaluationEvery: 'count',
  checkpointEvery: 'integer',
  sigmaMax: 'positive',
  dataPath: 'string',
  teacherPath: 'string',
};

/** Raised for a config that cannot run; the message names the field and what it expects. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Checks a config object field by field (unknown fields, types, ranges, divergence names),
 * throwing a `ConfigError` that names the first bad field and the expected value.
 *
 * @example validateConfigFields({ steps: -1 }, 'run.yaml') // ConfigError: run.yaml: steps must be an integer >= 1, got -1
 */
export function validateConfigFields(
  fields: Record<string, unknown>,
  source: string,
): Partial<RunConfig> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new ConfigError(`${source}: expected a mapping of config fields`);
  }
  for (const [field, value] of Object.entries(fields)) {
    if (field === 'preset') {
      if (!PRESET_NAMES.includes(value as PresetName)) {
        throw new ConfigError(
          `${source}: preset must be one of ${PRESET_NAMES.join(', ')}; got ${JSON.stringify(value)}`,
        );
      }
      continue;
    }
    const kind = FIELDS[field as keyof typeof FIELDS];
    if (kind === undefined) {
      throw new ConfigError(
        `${source}: unknown field "${field}"; valid fields: preset, ${Object.keys(FIELDS).join(', ')}`,
      );
    }
    const bad = (expected: string) =>
      new ConfigError(`${source}: ${field} must be ${expected}, got ${JSON.stringify(value)}`);
    if (kind === 'boolean') {
      if (typeof value !== 'boolean') throw bad('true or false');
      continue;
    }
    if (kind === 'string') {
      if (typeof value !== 'string' || value.length === 0) throw bad('a non-empty string');
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('a number');
    if (kind === 'integer' && !(Number.isInteger(value) && value >= 1))
      throw bad('an integer >= 1');
    if (kind === 'positive' && !(value > 0)) throw bad('a number > 0');
    if (kind === 'count' && !(Number.isInteger(value) && value >= 0)) throw bad('an integer >= 0');
    if (kind === 'non-negative' && !(value >= 0)) throw bad('a number >= 0');
    if (kind === 'fraction' && !(value >= 0 && value <= 1)) throw bad('a number in [0, 1]');
  }
  if (fields.divergence !== undefined) checkDivergenceName(fields.divergence as string, source);
  if (
    fields.fakeScoreWeighting !== undefined &&
    fields.fakeScoreWeighting !== 'uniform' &&
    fields.fakeScoreWeighting !== 'edm'
  ) {
    throw new ConfigError(
      `${source}: fakeScoreWeighting must be "uniform" or "edm", got ${JSON.stringify(fields.fakeScoreWeighting)}`,
    );
  }
  for (const field of ['studentInputFeatures', 'fakeScoreInputFeatures'] as const) {
    if (fields[field] !== undefined && (fields[field] as number) % 2 !== 0) {
      throw new ConfigError(
        `${source}: ${field} must be an even integer >= 0, got ${fields[field]}`,
      );
    }
  }
  if (fields.fakeUpdateFrequency !== undefined && (fields.fakeUpdateFrequency as number) < 2) {
    throw new ConfigError(
      `${source}: fakeUpdateFrequency must be an integer >= 2, got ${fields.fakeUpdateFrequency}`,
    );
  }
  return fields as Partial<RunConfig>;
}

/** Throws a `ConfigError` unless `name` is a divergence name, `alpha:<number>` or `gan-only`. */
export function checkDivergenceName(name: string, source: string): void {
  if ((EXTRA_DIVERGENCES as readonly string[]).includes(name)) return;
  try {
    parseDivergence(name);
  } catch {
    throw new ConfigError(
      `${source}: divergence must be one of ${[...DIVERGENCE_NAMES, ...EXTRA_DIVERGENCES].join(', ')} or alpha:<a>; got ${JSON.stringify(name)}`,
    );
  }
}
