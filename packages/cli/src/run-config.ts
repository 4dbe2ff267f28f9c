import { DIVERGENCE_NAMES, parseDivergence } from '@fdistill/divergence';
import type { DistillRunSettings, MixtureName, MixtureRunSettings } from '@fdistill/trainer';

/** The two-dimensional mixture presets, with the exact teacher. */
export const MIXTURE_PRESETS = ['ring8', 'grid25'] as const;

/** Every preset name. */
export const PRESET_NAMES = [...MIXTURE_PRESETS, 'fashion-mnist'] as const;

/** A preset name. */
export type PresetName = (typeof PRESET_NAMES)[number];

/** Extra weightings `fdistill` accepts besides the named divergences. */
export const EXTRA_DIVERGENCES = ['gan-only'] as const;

/** What the CLI adds to a run's settings: its evaluation and its checkpoints. */
interface RunFolderFields {
  /** Samples drawn from teacher and student for the final evaluation. */
  evaluationSamples: number;
  checkpointEvery: number;
}

/** The config of a mixture run (ring8, grid25): the trainer's `MixtureRunSettings` and the CLI's fields. */
export interface MixtureRunConfig extends Omit<MixtureRunSettings, 'mixture'>, RunFolderFields {
  preset: MixtureName;
  /**
   * Every this many steps, the EMA student's modes, high-quality share and mode KL (1,000
   * samples) go into metrics.jsonl as a `phase: 'evaluation'` line; 0 turns it off.
   */
  evaluationEvery: number;
}

/** The config of an image run (fashion-mnist): the distillation settings, the data and the teacher. */
export interface ImageRunConfig extends DistillRunSettings, RunFolderFields {
  preset: 'fashion-mnist';
  /** Folder of the IDX files. */
  dataPath: string;
  /** A teacher.safetensors written by `fdistill teacher train`; default the shipped teacher. */
  teacherPath?: string;
  /**
   * Updates that regress the student on the teacher's Heun sampler pairs (noise and label to
   * image, drawn once per teacher and cached) before distilling; 0 or absent starts at once.
   */
  studentWarmStartSteps?: number;
  /** Sampler pairs of the warm start (default 2048). */
  studentWarmStartPairs?: number;
  /** Peak (cosine-decayed) learning rate of the warm start; default the generator's. */
  studentWarmStartLearningRate?: number;
  /**
   * Updates that fit the fake score (copied from the teacher) to the warm-started student before
   * distilling, with the run's fake-score optimizer; 0 or absent starts at once.
   */
  fakeScorePrefitSteps?: number;
}

/** Everything that sets up a distillation run, one type per kind; a preset fills every field. */
export type RunConfig = MixtureRunConfig | ImageRunConfig;

/** Fields of a run config of either kind, as a config file or the command line gives them. */
export type RunConfigFields = Partial<Omit<MixtureRunConfig, 'preset'>> &
  Partial<Omit<ImageRunConfig, 'preset'>> & { preset?: PresetName };

/** The kinds of config: a mixture run, an image run, an image teacher run. */
export type ConfigKind = 'mixture' | 'image' | 'image-teacher';

/** The run kind of a preset. */
export function configKindOfPreset(preset: PresetName): 'mixture' | 'image' {
  return preset === 'fashion-mnist' ? 'image' : 'mixture';
}

/** Whether a run config is a mixture run's. */
export function isMixtureRunConfig(config: RunConfig): config is MixtureRunConfig {
  return config.preset !== 'fashion-mnist';
}

type FieldType =
  | 'integer'
  | 'count'
  | 'even count'
  | 'positive'
  | 'non-negative'
  | 'string'
  | 'fraction'
  | 'boolean'
  | 'object'
  | 'rate'
  | 'divergence'
  | 'choice';

const ALL: readonly ConfigKind[] = ['mixture', 'image', 'image-teacher'];
const RUNS: readonly ConfigKind[] = ['mixture', 'image'];
const MIXTURE: readonly ConfigKind[] = ['mixture'];
const IMAGE_DATA: readonly ConfigKind[] = ['image', 'image-teacher'];
const TEACHER: readonly ConfigKind[] = ['image-teacher'];

/** A config field's type, the kinds of config that have it and, for a choice, its values. */
interface FieldSpec {
  type: FieldType;
  kinds: readonly ConfigKind[];
  choices?: readonly string[];
}

/** Every config field (besides `preset`). */
const FIELDS: Record<string, FieldSpec> = {
  divergence: { type: 'divergence', kinds: RUNS },
  network: { type: 'object', kinds: TEACHER },
  steps: { type: 'integer', kinds: ALL },
  batchSize: { type: 'integer', kinds: ALL },
  seed: { type: 'count', kinds: ALL },
  fakeUpdateFrequency: { type: 'integer', kinds: RUNS },
  ganWeight: { type: 'non-negative', kinds: RUNS },
  learningRate: { type: 'positive', kinds: ALL },
  generatorLearningRate: { type: 'positive', kinds: RUNS },
  warmupSteps: { type: 'count', kinds: TEACHER },
  r1Gamma: { type: 'non-negative', kinds: RUNS },
  emaDecay: { type: 'fraction', kinds: ALL },
  labelDropout: { type: 'fraction', kinds: TEACHER },
  networkWidth: { type: 'integer', kinds: MIXTURE },
  networkDepth: { type: 'integer', kinds: MIXTURE },
  studentInputFeatures: { type: 'even count', kinds: MIXTURE },
  fakeScoreInputFeatures: { type: 'even count', kinds: MIXTURE },
  inputFeatureScale: { type: 'positive', kinds: MIXTURE },
  discriminatorWidth: { type: 'integer', kinds: MIXTURE },
  discriminatorDepth: { type: 'integer', kinds: MIXTURE },
  studentWarmStartSteps: { type: 'count', kinds: RUNS },
  studentWarmStartPairs: { type: 'integer', kinds: RUNS },
  studentWarmStartLearningRate: { type: 'positive', kinds: RUNS },
  fakeScorePrefitSteps: { type: 'count', kinds: RUNS },
  fakeScoreWeighting: { type: 'choice', kinds: RUNS, choices: ['uniform', 'edm'] },
  ratioNormalization: { type: 'boolean', kinds: RUNS },
  ratioBinSpacing: { type: 'choice', kinds: RUNS, choices: ['linear', 'log'] },
  ratioBinEmaRate: { type: 'rate', kinds: RUNS },
  weightNormalization: { type: 'boolean', kinds: RUNS },
  evaluationSamples: { type: 'integer', kinds: RUNS },
  evaluationEvery: { type: 'count', kinds: MIXTURE },
  checkpointEvery: { type: 'integer', kinds: ALL },
  sampleEvery: { type: 'integer', kinds: TEACHER },
  sigmaMax: { type: 'positive', kinds: RUNS },
  dataPath: { type: 'string', kinds: IMAGE_DATA },
  teacherPath: { type: 'string', kinds: ['image'] },
  guidanceScale: { type: 'positive', kinds: ['image'] },
};

/** Whether `kinds` are all run kinds (not the image teacher's). */
function isRunConfig(kinds: readonly ConfigKind[]): boolean {
  return kinds.every((kind) => RUNS.includes(kind));
}

/** The fields (besides `preset`) of a kind of config, in table order. */
export function fieldsOfKind(kind: ConfigKind): string[] {
  return Object.keys(FIELDS).filter((field) => FIELDS[field]?.kinds.includes(kind));
}

/** Who a kind of config is, in messages. */
const KIND_NAMES: Record<ConfigKind, string> = {
  mixture: 'the mixture presets (ring8, grid25)',
  image: 'fashion-mnist runs',
  'image-teacher': 'image teacher runs',
};

/** Raised for a config that cannot run; the message names the field and what it expects. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** What a value of a field must be, or `undefined` when `value` is one. */
function typeProblem({ type, choices = [] }: FieldSpec, value: unknown): string | undefined {
  if (type === 'boolean') return typeof value === 'boolean' ? undefined : 'true or false';
  if (type === 'choice') {
    return choices.includes(value as string)
      ? undefined
      : choices.map((choice) => JSON.stringify(choice)).join(' or ');
  }
  if (type === 'string' || type === 'divergence') {
    return typeof value === 'string' && value.length > 0 ? undefined : 'a non-empty string';
  }
  if (type === 'object') {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? undefined
      : 'an object';
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'a number';
  const integer = Number.isInteger(value);
  if (type === 'integer' && !(integer && value >= 1)) return 'an integer >= 1';
  if (type === 'positive' && !(value > 0)) return 'a number > 0';
  if (type === 'count' && !(integer && value >= 0)) return 'an integer >= 0';
  if (type === 'even count' && !(integer && value >= 0 && value % 2 === 0)) {
    return 'an even integer >= 0';
  }
  if (type === 'non-negative' && !(value >= 0)) return 'a number >= 0';
  if (type === 'fraction' && !(value >= 0 && value <= 1)) return 'a number in [0, 1]';
  if (type === 'rate' && !(value >= 0 && value < 1)) return 'a number in [0, 1)';
  return undefined;
}

/**
 * Checks config fields against the one field table (unknown fields, fields of another kind,
 * types, ranges, divergence names), throwing a `ConfigError` that names the first bad field and
 * the expected value. The kind is `kind`, else that of `fields.preset`; with neither (a config
 * file without a preset), a field of either run kind passes.
 *
 * @example validateConfigFields({ steps: -1 }, 'run.yaml') // ConfigError: run.yaml: steps must be an integer >= 1, got -1
 */
export function validateConfigFields(
  fields: Record<string, unknown>,
  source: string,
  kind?: ConfigKind,
): RunConfigFields {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new ConfigError(`${source}: expected a mapping of config fields`);
  }
  if (fields.preset !== undefined && !PRESET_NAMES.includes(fields.preset as PresetName)) {
    throw new ConfigError(
      `${source}: preset must be one of ${PRESET_NAMES.join(', ')}; got ${JSON.stringify(fields.preset)}`,
    );
  }
  const kinds: readonly ConfigKind[] =
    kind !== undefined
      ? [kind]
      : fields.preset === undefined
        ? RUNS
        : [configKindOfPreset(fields.preset as PresetName)];
  for (const [field, value] of Object.entries(fields)) {
    if (field === 'preset') continue;
    const spec = FIELDS[field];
    const ofThisKind = spec?.kinds.some((other) => kinds.includes(other)) === true;
    // A field of another run kind is named as such; any other stranger is unknown.
    const ofAnotherRun = spec?.kinds.some((other) => RUNS.includes(other)) === true;
    if (spec !== undefined && !ofThisKind && ofAnotherRun && isRunConfig(kinds)) {
      throw new ConfigError(
        `${source}: ${field} is a field of ${spec.kinds.map((other) => KIND_NAMES[other]).join(' and ')}, not of ${kinds.map((other) => KIND_NAMES[other]).join(' or ')}`,
      );
    }
    if (spec === undefined || !ofThisKind) {
      const valid = [...new Set(kinds.flatMap(fieldsOfKind))];
      throw new ConfigError(
        `${source}: unknown field "${field}"; valid fields: preset, ${valid.join(', ')}`,
      );
    }
    const expected = typeProblem(spec, value);
    if (expected !== undefined) {
      throw new ConfigError(
        `${source}: ${field} must be ${expected}, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (fields.divergence !== undefined) checkDivergenceName(fields.divergence as string, source);
  if (
    fields.ratioNormalization === false &&
    (fields.ratioBinSpacing !== undefined || fields.ratioBinEmaRate !== undefined)
  ) {
    throw new ConfigError(
      `${source}: ratioBinSpacing and ratioBinEmaRate set stage one's bins, which ratioNormalization: false turns off; drop one or the other`,
    );
  }
  if (fields.fakeUpdateFrequency !== undefined && (fields.fakeUpdateFrequency as number) < 2) {
    throw new ConfigError(
      `${source}: fakeUpdateFrequency must be an integer >= 2, got ${fields.fakeUpdateFrequency}`,
    );
  }
  return fields as RunConfigFields;
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
