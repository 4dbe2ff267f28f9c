/**
 * `pnpm bench:wasm-threads`: is tfjs-backend-wasm's threaded SIMD build faster with a 2-thread
 * XNNPACK pool than with the 1-thread pool it gets on 2 cores, for this project's image work?
 * Times a 512 matMul, a conv2d forward pass, both conv2d gradients, one image-preset f-distill
 * iteration and one update of the warm start's regression under three set-ups of the 'wasm'
 * backend, each in its own process (bench/run-wasm-threads-case.ts), all with the project's
 * kernels and lean backward pass installed by `selectBackend('wasm')`:
 *
 * (a) the threaded SIMD build with its default pool (half the cores: 1 thread on 2);
 * (b) the same build with `os.cpus()` reporting 4 cores while it starts: a 2-thread pool;
 * (c) `selectBackend('wasm')` alone: the SIMD build without threads, as the CLI runs.
 *
 * Prints each set-up's thread count (tfjs-backend-wasm's `getThreadsCount()`, the pthreads
 * running, and the CPU time of the busiest thread besides the main one, over the main thread's,
 * while 40 matrix products ran), a table of medians with the ratio b/a, and the largest absolute
 * difference of each case's results (operation outputs; f-distill and regression losses) from
 * (a)'s; a set-up whose SIMD loops found no memory is named as a problem.
 *
 * Options: --iterations N (timed runs of every case; default 21 per operation, 5 f-distill
 * iterations), --warmup N (untimed runs first; default 3 per operation, 1 f-distill iteration),
 * --repeat N (each set-up N times, interleaved; median run per case), --json FILE.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printTable } from './print-table.js';
import { median } from './timing.js';
import {
  DISTILL_CASES,
  type LossKind,
  OPERATIONS,
  POOL_THREADS,
  type ThreadsCaseResult,
  type ThreadsCaseSpec,
  type ThreadsConfiguration,
} from './wasm-threads-cases.js';

/** The set-ups, in the table's order, with their column titles. */
const CONFIGURATIONS: { configuration: ThreadsConfiguration; title: string }[] = [
  { configuration: 'stock-pool', title: '(a) threaded, stock pool' },
  { configuration: 'two-thread-pool', title: `(b) threaded, ${POOL_THREADS}-thread pool` },
  { configuration: 'select-backend', title: "(c) selectBackend('wasm')" },
];

/** One row of the table and of the JSON file. */
interface Row {
  name: string;
  /** Median milliseconds by set-up (null when its child failed). */
  milliseconds: Record<ThreadsConfiguration, number | null>;
  /** (b) / (a). */
  ratio: number | null;
  /** Largest absolute difference of (b)'s and (c)'s results from (a)'s. */
  largestDifference: { twoThreadPool: number | null; selectBackend: number | null };
}

const { values } = parseArgs({
  options: {
    iterations: { type: 'string' },
    warmup: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});

/** A positive count from an option, or `fallback` when it is not given. */
function count(option: string | undefined, name: string, fallback: number): number {
  if (option === undefined) return fallback;
  const value = Number.parseInt(option, 10);
  if (!(value > 0)) throw new RangeError(`--${name} must be a positive integer; got ${option}`);
  return value;
}

const caseFile = fileURLToPath(new URL('./run-wasm-threads-case.ts', import.meta.url));

/** Runs one set-up in a child process; its result, or why it failed. */
function runConfiguration(spec: ThreadsCaseSpec): ThreadsCaseResult | string {
  const child = spawnSync(process.execPath, [...process.execArgv, caseFile, JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const lines = (child.stdout ?? '').trim().split('\n');
  try {
    return JSON.parse(lines.at(-1) ?? '') as ThreadsCaseResult;
  } catch {
    const reason = (child.stderr || child.error?.message || 'no output').trim().split('\n');
    return `${spec.configuration}: ${reason
      .slice(-3)
      .map((line) => line.slice(0, 300))
      .join(' | ')}`;
  }
}

/** The largest absolute difference of two equally long arrays (null when either is missing). */
function largestDifference(
  first: ArrayLike<number> | undefined,
  second: ArrayLike<number> | undefined,
): number | null {
  if (first === undefined || second === undefined || first.length !== second.length) return null;
  let largest = 0;
  for (let i = 0; i < first.length; i++) {
    largest = Math.max(largest, Math.abs((first[i] as number) - (second[i] as number)));
  }
  return largest;
}

/** The output of `operation` as `configuration` wrote it (undefined when it did not). */
function readOutput(folder: string, configuration: string, operation: string) {
  try {
    const bytes = readFileSync(join(folder, `${configuration}-${operation}.f32`));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  } catch {
    return undefined;
  }
}

const format = (value: number | null, digits = 1) => (value === null ? '-' : value.toFixed(digits));
const formatDifference = (value: number | null) => (value === null ? '-' : value.toExponential(1));

async function main(): Promise<void> {
  const repeat = count(values.repeat, 'repeat', 1);
  const outputFolder = mkdtempSync(join(tmpdir(), 'fdistill-wasm-threads-outputs-'));
  const base = {
    operationWarmup: count(values.warmup, 'warmup', 3),
    operationIterations: count(values.iterations, 'iterations', 21),
    distillWarmup: count(values.warmup, 'warmup', 1),
    distillIterations: count(values.iterations, 'iterations', 5),
    outputFolder,
  };
  console.log(
    `fdistill wasm threads: tfjs-backend-wasm threaded SIMD, default pool vs ${POOL_THREADS}-thread pool, and selectBackend('wasm'); ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    `operations: ${base.operationWarmup} warm-up + median of ${base.operationIterations}; f-distill: ${base.distillWarmup} warm-up + median of ${base.distillIterations} iterations; ${repeat} run(s) per set-up`,
  );
  const runs: Record<ThreadsConfiguration, ThreadsCaseResult[]> = {
    'stock-pool': [],
    'two-thread-pool': [],
    'select-backend': [],
  };
  const problems: string[] = [];
  for (let run = 0; run < repeat; run++) {
    for (const { configuration } of CONFIGURATIONS) {
      const result = runConfiguration({ ...base, configuration });
      if (typeof result === 'string') problems.push(result);
      else runs[configuration].push(result);
    }
  }
  const medianOf = (configuration: ThreadsConfiguration, key: string) => {
    const times = runs[configuration].map((result) => result.milliseconds[key] as number);
    return times.length === 0 ? null : median(times);
  };
  const rowOf = (name: string, key: string, differences: Row['largestDifference']): Row => {
    const milliseconds = {
      'stock-pool': medianOf('stock-pool', key),
      'two-thread-pool': medianOf('two-thread-pool', key),
      'select-backend': medianOf('select-backend', key),
    };
    const stock = milliseconds['stock-pool'];
    const pool = milliseconds['two-thread-pool'];
    return {
      name,
      milliseconds,
      ratio: stock === null || pool === null || stock <= 0 ? null : pool / stock,
      largestDifference: differences,
    };
  };
  const rows: Row[] = OPERATIONS.map(({ key, name }) => {
    const [stock, pool, selected] = CONFIGURATIONS.map(({ configuration }) =>
      readOutput(outputFolder, configuration, key),
    );
    return rowOf(name, key, {
      twoThreadPool: largestDifference(pool, stock),
      selectBackend: largestDifference(selected, stock),
    });
  });
  const lossesOf = (configuration: ThreadsConfiguration, kinds: readonly LossKind[]) => {
    const result = runs[configuration][0];
    return result === undefined ? undefined : kinds.flatMap((kind) => result.losses[kind]);
  };
  for (const { key, name, losses } of DISTILL_CASES) {
    const stock = lossesOf('stock-pool', losses);
    rows.push(
      rowOf(name, key, {
        twoThreadPool: largestDifference(lossesOf('two-thread-pool', losses), stock),
        selectBackend: largestDifference(lossesOf('select-backend', losses), stock),
      }),
    );
  }
  rmSync(outputFolder, { recursive: true, force: true });

  console.log('');
  printTable(
    [
      'set-up',
      'build',
      'getThreadsCount()',
      'pthreads running',
      'project kernels',
      'lean gradients',
      'project SIMD loops',
      'helper thread CPU / main',
    ],
    CONFIGURATIONS.map(({ configuration, title }) => {
      const result = runs[configuration][0];
      if (result === undefined) return [title, 'failed', '-', '-', '-', '-', '-', '-'];
      const yes = (value: boolean) => (value ? 'yes' : 'no');
      return [
        title,
        result.backend.build,
        String(result.backend.threadsCount),
        String(result.backend.runningThreads),
        yes(result.projectKernels),
        yes(result.leanGradients),
        yes(result.backend.simdLoops),
        format(result.helperThreadCpuShare, 2),
      ];
    }),
  );
  console.log('');
  printTable(
    ['case', ...CONFIGURATIONS.map(({ title }) => `${title} ms`), 'b/a', 'max |b-a|', 'max |c-a|'],
    rows.map((row) => [
      row.name,
      ...CONFIGURATIONS.map(({ configuration }) => format(row.milliseconds[configuration])),
      row.ratio === null ? '-' : `${row.ratio.toFixed(2)}x`,
      formatDifference(row.largestDifference.twoThreadPool),
      formatDifference(row.largestDifference.selectBackend),
    ]),
  );
  const stockThreads = runs['stock-pool'][0]?.backend.threadsCount;
  const poolThreads = runs['two-thread-pool'][0]?.backend.threadsCount;
  if (stockThreads !== undefined && stockThreads !== 1) {
    problems.push(`(a) has ${stockThreads} threads, not 1: this machine has more than 2 cores`);
  }
  if (poolThreads !== undefined && poolThreads !== POOL_THREADS) {
    problems.push(
      `(b) has ${poolThreads} threads, not ${POOL_THREADS}: the os.cpus override failed`,
    );
  }
  for (const { configuration, title } of CONFIGURATIONS) {
    if (runs[configuration].some((result) => !result.backend.simdLoops)) {
      problems.push(
        `${title}: the project's SIMD loops found no memory and handed their calls to tfjs's kernels`,
      );
    }
  }
  for (const problem of problems) console.log(`! ${problem}`);
  if (values.json !== undefined) {
    const report = {
      date: new Date().toISOString(),
      cpu: cpus()[0]?.model ?? null,
      cores: cpus().length,
      node: process.version,
      settings: { ...base, outputFolder: undefined, repeat },
      setUps: CONFIGURATIONS.map(({ configuration, title }) => ({
        configuration,
        title,
        ...(runs[configuration][0] === undefined
          ? { failed: true }
          : {
              backend: runs[configuration][0]?.backend,
              projectKernels: runs[configuration][0]?.projectKernels,
              leanGradients: runs[configuration][0]?.leanGradients,
              helperThreadCpuShare: runs[configuration][0]?.helperThreadCpuShare,
            }),
      })),
      rows,
      problems,
    };
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
}

await main();
