import { existsSync } from 'node:fs';
import { scatterPlotPng } from '@fdistill/eval';
import { heunSampler } from '@fdistill/score';
import { writeFileAtomically } from '@fdistill/trainer';
import * as tf from '@tensorflow/tfjs';
import { type BackendName, selectBackend } from '../backend.js';
import { buildMixtureRun } from '../build-mixture-run.js';
import { ConfigError } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { numberFlag, parseCommandArgs, UsageError } from '../usage-error.js';

/** `fdistill sample --help`. */
export const SAMPLE_HELP = `fdistill sample: draw samples from a run's one-step student, or from its teacher with N steps

Usage: fdistill sample --run DIR [-n 1000] [--teacher [--steps 18]] [--seed S] --out FILE

  --run DIR      a run folder written by fdistill distill
  -n N           number of samples (default 1000)
  --teacher      sample the teacher with the Heun sampler instead (2 * steps - 1 evaluations)
  --steps N      Heun steps for --teacher (default 18, 35 evaluations)
  --seed S       seed of the latents (default 0)
  --out FILE     .png (a scatter against exact teacher samples) or .json (an array of samples)
  --backend      auto | tensorflow-gpu | tensorflow | wasm | cpu`;

/** Runs `fdistill sample`; returns the exit code. */
export async function sampleCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('sample', args, {
    run: { type: 'string' },
    n: { type: 'string', short: 'n' },
    teacher: { type: 'boolean', default: false },
    steps: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  });
  if (values.help) {
    console.log(SAMPLE_HELP);
    return 0;
  }
  if (values.run === undefined) throw new UsageError('fdistill sample: --run DIR is required');
  if (values.out === undefined || !/\.(png|json)$/i.test(values.out)) {
    throw new UsageError('fdistill sample: --out FILE ending in .png or .json is required');
  }
  const count = numberFlag('n', values.n) ?? 1000;
  const steps = numberFlag('steps', values.steps) ?? 18;
  const seed = numberFlag('seed', values.seed) ?? 0;
  if (!(Number.isInteger(count) && count >= 1))
    throw new UsageError(`-n must be an integer >= 1, got ${count}`);
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new UsageError(`--steps must be an integer >= 1, got ${steps}`);
  const { folder, config } = RunFolder.open(values.run);
  if (!values.teacher && !existsSync(folder.file('checkpoint'))) {
    throw new ConfigError(`${values.run} has no checkpoint to sample the student from`);
  }
  const backend = await selectBackend(values.backend as BackendName | 'auto');
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const run = buildMixtureRun(config);
  try {
    let networkEvaluations = 1;
    let samples: number[][];
    if (values.teacher) {
      const result = heunSampler(run.teacher, { steps, seed, shape: [count, run.teacher.dim] });
      samples = result.samples.arraySync() as number[][];
      networkEvaluations = result.networkEvaluations;
      result.samples.dispose();
    } else {
      run.distiller.loadCheckpoint(folder.file('checkpoint'));
      samples = tf.tidy(() => {
        const latent = tf.randomNormal([count, run.teacher.dim], 0, 1, 'float32', seed);
        return run.distiller.generate(latent, undefined, run.studentEma).arraySync() as number[][];
      });
    }
    if (/\.json$/i.test(values.out)) {
      writeFileAtomically(values.out, `${JSON.stringify({ networkEvaluations, samples })}\n`);
    } else {
      const reference = tf.tidy(
        () => run.teacher.sample(count, seed + 1).arraySync() as number[][],
      );
      const who = values.teacher
        ? `teacher, Heun ${steps} steps (${networkEvaluations} NFE)`
        : 'one-step student (1 NFE)';
      const png = scatterPlotPng(
        { teacher: reference, student: samples, modeCentres: run.teacher.means },
        {
          title: `${config.preset}: ${who}`,
          labels: { teacher: 'exact', student: values.teacher ? 'teacher' : 'student' },
        },
      );
      writeFileAtomically(values.out, png);
    }
    console.log(
      `wrote ${count} samples (${networkEvaluations} network evaluations each) to ${values.out}`,
    );
    return 0;
  } finally {
    run.dispose();
  }
}
