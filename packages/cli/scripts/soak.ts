/**
 * The soak: a long mixture run and an image run with memory sampled as they train, failing on
 * growth. Every `--sample-every` steps it records tfjs's tensor count, the wasm heap and the
 * process RSS; after the first quarter of the steps (allocators settle) it requires
 *   - the tensor count to stay exactly constant,
 *   - the wasm heap to grow by at most --heap-growth-mb (default 16 MB),
 *   - the RSS to grow by at most --rss-growth-mb (default 64 MB).
 * Each run also checkpoints to memory and evaluates every --sample-every steps, so those paths soak too.
 * The image run shares its steps with helper threads as `fdistill distill` does (`--threads`,
 * default every core), so the threads' exchange soaks too.
 *
 *   pnpm soak                                   (20,000 mixture steps, 500 image steps)
 *   pnpm soak --mixture-steps 2000 --image-steps 20 --threads 2
 *
 * The image run needs Debian's dataset-fashion-mnist; without it that part is skipped with a note.
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '@fdistill/backend';
import { mixtureModeMetrics } from '@fdistill/eval';
import { type Distiller, memoryCheckpointStore } from '@fdistill/trainer';
import { formatTable } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs';
import { buildImageRunOfConfig, buildMixtureRunOfConfig } from '../src/build-run.js';
import { shareStepsWithHelpers } from '../src/distill-run.js';
import { fashionMnistFiles } from '../src/fashion-mnist.js';
import { PRESETS } from '../src/presets.js';
import { threadsFlag } from '../src/usage-error.js';

const { values } = parseArgs({
  options: {
    'mixture-steps': { type: 'string', default: '20000' },
    'image-steps': { type: 'string', default: '500' },
    'sample-every': { type: 'string', default: '' },
    'heap-growth-mb': { type: 'string', default: '16' },
    'rss-growth-mb': { type: 'string', default: '64' },
    threads: { type: 'string' },
  },
});

const threads = threadsFlag(values.threads);

/** One memory sample. */
interface MemorySample {
  step: number;
  tensors: number;
  wasmHeapMb: number;
  rssMb: number;
}

const megabytes = (bytes: number) => bytes / 2 ** 20;

function sampleMemory(step: number): MemorySample {
  const backend = tf.backend() as { wasm?: { HEAPU8?: Uint8Array } };
  return {
    step,
    tensors: tf.memory().numTensors,
    wasmHeapMb: megabytes(backend.wasm?.HEAPU8?.length ?? 0),
    rssMb: megabytes(process.memoryUsage().rss),
  };
}

/** Trains `steps` steps, sampling memory; returns the samples. */
async function soak(
  distiller: Distiller,
  steps: number,
  every: number,
  evaluate: () => void,
): Promise<MemorySample[]> {
  const store = memoryCheckpointStore();
  const samples = [sampleMemory(0)];
  for (let step = 1; step <= steps; step++) {
    await distiller.step();
    if (step % every === 0) {
      await distiller.saveCheckpoint(store);
      evaluate();
      samples.push(sampleMemory(step));
    }
  }
  return samples;
}

/** Growth after the first quarter of the run, and whether it is within the bounds. */
function verdict(name: string, samples: MemorySample[]) {
  const settled = samples.find(
    (sample) => sample.step >= (samples.at(-1)?.step ?? 0) / 4,
  ) as MemorySample;
  const last = samples.at(-1) as MemorySample;
  const tensorGrowth = last.tensors - settled.tensors;
  const heapGrowth = last.wasmHeapMb - settled.wasmHeapMb;
  const rssGrowth = last.rssMb - settled.rssMb;
  const passed =
    tensorGrowth === 0 &&
    heapGrowth <= Number(values['heap-growth-mb']) &&
    rssGrowth <= Number(values['rss-growth-mb']);
  return {
    row: [
      name,
      String(last.step),
      `${settled.tensors} -> ${last.tensors}`,
      `${settled.wasmHeapMb.toFixed(0)} -> ${last.wasmHeapMb.toFixed(0)}`,
      `${settled.rssMb.toFixed(0)} -> ${last.rssMb.toFixed(0)}`,
      passed ? 'pass' : 'FAIL',
    ],
    passed,
  };
}

const backend = await selectBackend('auto');
console.error(`backend: ${backend.name} (${backend.reason})`);
const rows: string[][] = [];
let failed = false;

const mixtureSteps = Number(values['mixture-steps']);
if (mixtureSteps > 0) {
  const every = Number(values['sample-every'] || Math.max(1, Math.round(mixtureSteps / 40)));
  const config = { ...PRESETS.ring8, studentWarmStartSteps: 200, fakeScorePrefitSteps: 50 };
  const run = buildMixtureRunOfConfig(config);
  await run.distiller.warmStartStudent({
    steps: 200,
    pairs: 2048,
    learningRate: config.learningRate,
  });
  await run.distiller.prefitFakeScore(50);
  const started = performance.now();
  const samples = await soak(run.distiller, mixtureSteps, every, () => {
    const students = tf.tidy(() =>
      run.distiller
        .generate(tf.randomNormal([500, 2], 0, 1, 'float32', 7), undefined, run.studentEma)
        .arraySync(),
    ) as number[][];
    mixtureModeMetrics(students, run.teacher);
  });
  run.dispose();
  const result = verdict('ring8', samples);
  rows.push([...result.row, ((performance.now() - started) / 1000).toFixed(0)]);
  failed ||= !result.passed;
  console.error(JSON.stringify({ run: 'ring8', samples }));
}

const imageSteps = Number(values['image-steps']);
if (imageSteps > 0) {
  const config = PRESETS['fashion-mnist'];
  let hasData = true;
  try {
    fashionMnistFiles(config.dataPath, 'train');
  } catch (error) {
    hasData = false;
    console.error(`image soak skipped: ${(error as Error).message}`);
  }
  if (hasData) {
    const every = Number(values['sample-every'] || Math.max(1, Math.round(imageSteps / 20)));
    const run = buildImageRunOfConfig(config);
    const shards = await shareStepsWithHelpers(run.distiller, threads, backend.name);
    const started = performance.now();
    const samples = await soak(run.distiller, imageSteps, every, () => {
      tf.tidy(() =>
        run.distiller
          .generate(
            tf.randomNormal([16, 32, 32, 1], 0, 1, 'float32', 7),
            tf.tensor1d(
              Array.from({ length: 16 }, (_, index) => index % 10),
              'int32',
            ),
            run.studentEma,
          )
          .dataSync(),
      );
    });
    shards?.dispose();
    run.dispose();
    const result = verdict(`fashion-mnist, ${threads} thread${threads === 1 ? '' : 's'}`, samples);
    rows.push([...result.row, ((performance.now() - started) / 1000).toFixed(0)]);
    failed ||= !result.passed;
    console.error(JSON.stringify({ run: 'fashion-mnist', samples }));
  }
}

console.log(
  formatTable(
    ['run', 'steps', 'tensors (settled -> end)', 'wasm heap MB', 'RSS MB', 'verdict', 'seconds'],
    rows,
  ),
);
console.log(
  `bounds after the first quarter: tensors +0, wasm heap +${values['heap-growth-mb']} MB, RSS +${values['rss-growth-mb']} MB`,
);
process.exitCode = failed ? 1 : 0;
