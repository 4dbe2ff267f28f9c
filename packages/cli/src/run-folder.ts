import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, decodeCheckpoint } from '@fdistill/trainer';
import { checkpointFile, writeFileAtomically } from '@fdistill/trainer/node';
import * as tf from '@tensorflow/tfjs';
import { type ImageTeacherConfig, validateImageTeacherConfig } from './image-teacher-config.js';
import { ConfigError, fieldsOfKind, type RunConfig, validateConfigFields } from './run-config.js';

/**
 * The layout of run folders this fdistill writes and reads; a checkpoint records it (with its
 * preset) as `runFolderVersion`, so a folder from another version is refused, not misread.
 */
export const RUN_FOLDER_VERSION = 1;

/** `append` to `path`, a failure named by the path and the system error code. */
function appendLine(path: string, line: string): void {
  try {
    appendFileSync(path, line);
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    throw Object.assign(
      new Error(`cannot write ${path} (${cause.code ?? cause.message})`, { cause }),
      { code: cause.code, path },
    );
  }
}

/** The files of a run folder (a distillation run's or a teacher run's). */
export const RUN_FILES = {
  config: 'config.json',
  checkpoint: 'checkpoint.safetensors',
  metrics: 'metrics.jsonl',
  resumes: 'resumes.jsonl',
  samples: 'samples.png',
  summary: 'summary.json',
  /** A teacher run's result: the EMA network with its config. */
  teacher: 'teacher.safetensors',
  /** A teacher run's loss curve. */
  loss: 'loss.png',
  /** A teacher run's sample grids as it trains (a folder). */
  sampleHistory: 'samples',
} as const;

/**
 * Mixture-only fields that image run configs written before the configs had one type per kind
 * carried (the fashion-mnist preset was spread from ring8's); `RunFolder.open` drops them.
 */
const LEGACY_IMAGE_FIELDS = new Set(
  fieldsOfKind('mixture').filter((field) => !fieldsOfKind('image').includes(field)),
);

/** A run folder: where a run's config, checkpoint, metrics, picture and summary live. */
export class RunFolder {
  constructor(readonly path: string) {}

  /** Path of one of the run's files. */
  file(name: keyof typeof RUN_FILES): string {
    return join(this.path, RUN_FILES[name]);
  }

  /**
   * Creates the folder for a new run and writes its config (when it has one: a mixture teacher
   * run has none). Refuses a folder that already holds files, so nothing written before is
   * overwritten; the message offers `--resume` when the run can resume.
   */
  static create(
    path: string,
    config?: RunConfig | ImageTeacherConfig,
    { resumable = true } = {},
  ): RunFolder {
    const folder = new RunFolder(path);
    if (existsSync(path) && readdirSync(path).length > 0) {
      throw new ConfigError(
        resumable
          ? `--out ${path} already holds files; continue that run with --resume ${path}, or choose another --out`
          : `--out ${path} already holds files; choose another --out`,
      );
    }
    mkdirSync(path, { recursive: true });
    if (config !== undefined) folder.writeConfig(config);
    return folder;
  }

  /** Opens an existing distillation run (for --resume, sample, eval), reading and validating its config. */
  static open(path: string): { folder: RunFolder; config: RunConfig } {
    const folder = new RunFolder(path);
    const fields = folder.readConfigFields('a run folder');
    if (fields.preset === 'fashion-mnist') {
      for (const field of Object.keys(fields)) {
        if (LEGACY_IMAGE_FIELDS.has(field)) delete fields[field];
      }
    }
    const config = validateConfigFields(fields, folder.file('config')) as RunConfig;
    return { folder, config };
  }

  /**
   * Opens an image teacher run for `--resume`: its config (validated), with `steps` replaced
   * when given. A folder without a checkpoint is refused.
   */
  static openTeacher(
    path: string,
    steps: number | undefined,
  ): { folder: RunFolder; config: ImageTeacherConfig } {
    const folder = new RunFolder(path);
    const fields = folder.readConfigFields('a teacher run folder');
    if (!existsSync(folder.file('checkpoint'))) {
      throw new ConfigError(`--resume ${path}: the run has no checkpoint yet`);
    }
    const config = validateImageTeacherConfig(fields, folder.file('config'));
    return { folder, config: steps === undefined ? config : { ...config, steps } };
  }

  /** The fields of config.json; `what` names the folder in the message when there is none. */
  private readConfigFields(what: string): Record<string, unknown> {
    const configPath = this.file('config');
    if (!existsSync(configPath)) {
      throw new ConfigError(`${this.path} is not ${what} (no ${RUN_FILES.config})`);
    }
    try {
      return JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw new ConfigError(`${configPath} is not valid JSON (${error.message})`);
    }
  }

  /**
   * Before a resume changes anything: the checkpoint must decode and come from a run of this
   * folder's preset and of this run folder version. Throws a `CheckpointError` (bad bytes) or a
   * `ConfigError` (another preset or version) naming the checkpoint.
   */
  checkCheckpoint(config: RunConfig): void {
    const path = this.file('checkpoint');
    const bytes = checkpointFile(path).read();
    if (bytes === undefined)
      throw new ConfigError(`--resume ${this.path}: the run has no checkpoint yet`);
    const { tensors, state } = decodeCheckpoint(bytes, path);
    tf.dispose([...tensors.values()]);
    if (state.runFolderVersion !== undefined && state.runFolderVersion !== RUN_FOLDER_VERSION) {
      throw new ConfigError(
        `${path} was written by run folder version ${JSON.stringify(state.runFolderVersion)}; this fdistill reads version ${RUN_FOLDER_VERSION}`,
      );
    }
    if (state.preset !== undefined && state.preset !== config.preset) {
      throw new ConfigError(
        `${path} is a checkpoint of a ${JSON.stringify(state.preset)} run, but ${this.file('config')} says preset ${JSON.stringify(config.preset)}`,
      );
    }
    if (typeof state.step !== 'number') {
      throw new CheckpointError(`loadCheckpoint: ${path} has no step in its fdistill state`);
    }
  }

  /** The records of metrics.jsonl, in order (none when there is no file yet). */
  readMetrics(): Record<string, unknown>[] {
    const path = this.file('metrics');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Appends one JSON line to metrics.jsonl. */
  appendMetrics(record: Record<string, unknown>): void {
    appendLine(this.file('metrics'), `${JSON.stringify(record)}\n`);
  }

  /**
   * Cuts metrics.jsonl back to a checkpoint taken after `steps` steps (atomically), so a resumed
   * run logs every step once: step events keep index < steps, evaluation lines step <= steps.
   */
  keepMetricsOfFirstSteps(steps: number): void {
    const path = this.file('metrics');
    if (!existsSync(path)) return;
    const kept = readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line.trim() === '') return false;
        try {
          const record = JSON.parse(line) as { step?: unknown; phase?: unknown };
          if (typeof record.step !== 'number') return false;
          return record.phase === 'evaluation' ? record.step <= steps : record.step < steps;
        } catch {
          return false; // a line cut short by a crash
        }
      });
    writeFileAtomically(path, kept.length === 0 ? '' : `${kept.join('\n')}\n`);
  }

  /**
   * Removes the temporary files (`<file>.<pid>.tmp`) that a process killed during an atomic write
   * left beside the run's files; returns their names.
   */
  removeStaleTemporaryFiles(): string[] {
    const names = new Set<string>(Object.values(RUN_FILES));
    const stale = readdirSync(this.path).filter((entry) => {
      const match = /^(.+)\.\d+\.tmp$/.exec(entry);
      return match !== null && names.has(match[1] as string);
    });
    for (const entry of stale) rmSync(join(this.path, entry), { force: true });
    return stale;
  }

  /** Appends a line `{ step, time }` to resumes.jsonl: the run continued from `step` at `time`. */
  recordResume(step: number, time = new Date()): void {
    appendLine(this.file('resumes'), `${JSON.stringify({ step, time: time.toISOString() })}\n`);
  }

  /** Writes summary.json (atomically): what a finished run of any kind measured. */
  writeSummary(summary: object): void {
    writeFileAtomically(this.file('summary'), `${JSON.stringify(summary, null, 2)}\n`);
  }

  /** Writes config.json (e.g. again when --steps extends a resumed run). */
  writeConfig(config: RunConfig | ImageTeacherConfig): void {
    writeFileAtomically(this.file('config'), `${JSON.stringify(config, null, 2)}\n`);
  }
}
