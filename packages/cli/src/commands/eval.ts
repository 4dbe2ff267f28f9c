import { existsSync, readFileSync } from 'node:fs';
import { measureRun } from '../distill-run.js';
import { ConfigError } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { numberFlag, parseCommandArgs, UsageError } from '../usage-error.js';

/** `fdistill eval --help`. */
export const EVAL_HELP = `fdistill eval: measure a run's student again from its checkpoint

Usage: fdistill eval --run DIR [-n N] [--backend NAME]

  --run DIR      a run folder written by fdistill distill
  -n N           samples from teacher and student (default: the run's evaluationSamples)
                 fashion-mnist: domain-FID, precision/recall, classes and label accuracy of the
                 student (1 NFE) and the teacher (35 NFE) with the shipped classifier
  --backend      auto | tensorflow-gpu | tensorflow | wasm | cpu

Rewrites summary.json and samples.png in the run folder and prints the summary.`;

/** The training run's wall seconds from an existing summary.json, when there is one. */
function trainingWallSeconds(folder: RunFolder): number | undefined {
  if (!existsSync(folder.file('summary'))) return undefined;
  try {
    const previous = JSON.parse(readFileSync(folder.file('summary'), 'utf8')) as {
      wallSeconds?: unknown;
    };
    return typeof previous.wallSeconds === 'number' ? previous.wallSeconds : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `fdistill eval`; returns the exit code. */
export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('eval', args, {
    run: { type: 'string' },
    n: { type: 'string', short: 'n' },
    backend: { type: 'string', default: 'auto' },
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  if (values.run === undefined) throw new UsageError('fdistill eval: --run DIR is required');
  const { folder, config } = RunFolder.open(values.run);
  if (!existsSync(folder.file('checkpoint')))
    throw new ConfigError(`${values.run} has no checkpoint to evaluate`);
  const count = numberFlag('n', values.n);
  if (count !== undefined && !(Number.isInteger(count) && count >= 4)) {
    throw new UsageError(`-n must be an integer >= 4, got ${count}`);
  }
  const backend = await selectCliBackend(values.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const started = performance.now();
  const evaluationConfig = { ...config, evaluationSamples: count ?? config.evaluationSamples };
  const { table } = await measureRun({
    config: evaluationConfig,
    folder,
    backend: backend.name,
    wallSeconds: () => trainingWallSeconds(folder) ?? (performance.now() - started) / 1000,
  });
  console.log(table);
  return 0;
}
