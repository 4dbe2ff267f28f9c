/**
 * `pnpm bench`: f-distill on the 2-D preset, f-distill on images (U-Net + conv heads), and
 * convolution micro-benchmarks, on tfjs's wasm backend with the project's kernels, side by side
 * with the same work in PyTorch CPU at the same thread count. Every case runs in its own process
 * on each side. Prints a table; `--json FILE` also writes `[{ name, oursMs, torchMs, ratio, ... }]`.
 *
 * Options: --json FILE, --quick (fewer iterations), --repeat N (run each case N times per side,
 * alternating, and keep the median run: steadier on a busy machine), --only TEXT (cases whose
 * name contains it), --cpu (also time the micro-benchmarks on tfjs's cpu backend: slow),
 * --python PATH (default /usr/bin/python3, Debian's).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  type CaseResult,
  type CaseSpec,
  CONVOLUTION_SHAPES,
  type ConvolutionShape,
  MIXTURE_WORKLOAD,
} from './cases.js';
import { printTable } from './print-table.js';
import { IMAGE_PRESET_WORKLOAD, IMAGE_WORKLOAD, TEACHER_WORKLOAD } from './workloads.js';

/** One row of the table and of the JSON file. */
interface Row {
  name: string;
  oursMs: number;
  torchMs: number | null;
  ratio: number | null;
  /** tfjs cpu backend, where it was timed. */
  cpuMs?: number;
  /** Process RSS high-water marks. */
  oursPeakRssMb: number;
  torchPeakRssMb: number | null;
  /** Peak of `tf.memory().numBytes` in a profiled step (counts a buffer once per tensor sharing it). */
  oursPeakTensorMb?: number;
  /** Size of the wasm heap at the end: its high-water mark (it never shrinks). */
  oursWasmHeapMb?: number;
  /** Threads of a multi-thread row: PyTorch's in an all-cores row (ours on one: see THREADS), each side's in a `[N threads each]` row. */
  threads?: number;
}

interface Options {
  json?: string;
  quick: boolean;
  repeat: number;
  only?: string;
  cpu: boolean;
  python: string;
}

/**
 * Our side runs on one thread (tfjs-backend-wasm has no threads in Node), except the teacher's
 * `[N threads each]` row and the f-distill `[2 threads each]` rows, which add helper threads
 * (`startGradientWorkers`, `startDistillWorkers`).
 */
const THREADS = 1;

/**
 * Threads of the f-distill rows that share each step on both sides (ours: one helper thread,
 * `startDistillWorkers`, as `fdistill distill --threads 2`; PyTorch: 2 intra-op threads).
 */
const SHARED_THREADS = 2;

/** The rows of an f-distill run on `SHARED_THREADS` threads a side. */
function sharedRows(rows: Row[]): Row[] {
  return rows.map((line) => ({
    ...line,
    name: `${line.name} [${SHARED_THREADS} threads each]`,
    threads: SHARED_THREADS,
  }));
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    quick: false,
    repeat: 1,
    cpu: false,
    python: '/usr/bin/python3',
  };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === '--') continue;
    else if (argument === '--json') options.json = value();
    else if (argument === '--quick') options.quick = true;
    else if (argument === '--repeat')
      options.repeat = Math.max(1, Number.parseInt(value(), 10) || 1);
    else if (argument === '--only') options.only = value();
    else if (argument === '--cpu') options.cpu = true;
    else if (argument === '--python') options.python = value();
    else
      throw new Error(
        `unknown option ${argument} (options: --json FILE, --quick, --repeat N, --only TEXT, --cpu, --python PATH)`,
      );
  }
  if (!existsSync(options.python)) options.python = 'python3';
  return options;
}

const caseFile = fileURLToPath(new URL('./run-case.ts', import.meta.url));
const torchFile = fileURLToPath(new URL('./torch_bench.py', import.meta.url));

/** Runs one case in a child process and parses the JSON on its last stdout line. */
function runChild(
  command: string,
  args: string[],
  label: string,
  threads: number,
): CaseResult | string {
  const child = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
  });
  const lines = (child.stdout ?? '').trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1] ?? '') as CaseResult;
  } catch {
    const reason = (child.stderr || child.error?.message || 'no output').trim().split('\n');
    return `${label}: ${reason.slice(-3).join(' | ')}`;
  }
}

function ours(spec: CaseSpec): CaseResult | string {
  return runChild(
    process.execPath,
    [...process.execArgv, caseFile, JSON.stringify(spec)],
    'ours',
    spec.threads,
  );
}

function torch(spec: CaseSpec, python: string): CaseResult | string {
  return runChild(python, [torchFile, JSON.stringify(spec)], 'PyTorch', spec.threads);
}

/** The run whose total time is the median of the runs (memory figures: the largest). */
function medianRun(runs: CaseResult[]): CaseResult {
  const total = (run: CaseResult) =>
    (run.generatorMs ?? 0) +
    (run.criticMs ?? 0) +
    (run.stepMs ?? 0) +
    (run.forwardMs ?? 0) +
    (run.inputGradientMs ?? 0) +
    (run.filterGradientMs ?? 0);
  const sorted = [...runs].sort((a, b) => total(a) - total(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as CaseResult;
  return { ...median, peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)) };
}

function ratioOf(oursMs: number, torchMs: number | null): number | null {
  return torchMs === null || torchMs <= 0 ? null : oursMs / torchMs;
}

function row(
  name: string,
  oursMs: number,
  torchMs: number | null,
  mine: CaseResult,
  theirs: CaseResult | undefined,
): Row {
  return {
    name,
    oursMs,
    torchMs,
    ratio: ratioOf(oursMs, torchMs),
    oursPeakRssMb: mine.peakRssMb,
    torchPeakRssMb: theirs?.peakRssMb ?? null,
    ...(mine.peakTensorMb === undefined ? {} : { oursPeakTensorMb: mine.peakTensorMb }),
    ...(mine.wasmHeapMb === undefined ? {} : { oursWasmHeapMb: mine.wasmHeapMb }),
  };
}

/** Rows of an f-distill workload: the iteration (one step of each kind) and each step kind. */
function distillRows(
  label: string,
  mine: CaseResult,
  theirs: CaseResult | undefined,
  cpu: CaseResult | undefined,
): Row[] {
  const oursGenerator = mine.generatorMs as number;
  const oursCritic = mine.criticMs as number;
  const torchGenerator = theirs?.generatorMs ?? null;
  const torchCritic = theirs?.criticMs ?? null;
  const torchIteration =
    torchGenerator === null || torchCritic === null ? null : torchGenerator + torchCritic;
  const rows = [
    row(
      `${label} f-distill iteration (1 generator + 1 critic step)`,
      oursGenerator + oursCritic,
      torchIteration,
      mine,
      theirs,
    ),
    row(`${label} generator step`, oursGenerator, torchGenerator, mine, theirs),
    row(`${label} critic step`, oursCritic, torchCritic, mine, theirs),
  ];
  if (mine.regressionMs !== undefined) {
    rows.push(
      row(
        `${label} warm-start regression update`,
        mine.regressionMs,
        theirs?.regressionMs ?? null,
        mine,
        theirs,
      ),
    );
  }
  if (cpu !== undefined) {
    rows[0] = {
      ...(rows[0] as Row),
      cpuMs: (cpu.generatorMs as number) + (cpu.criticMs as number),
    };
    rows[1] = { ...(rows[1] as Row), cpuMs: cpu.generatorMs as number };
    rows[2] = { ...(rows[2] as Row), cpuMs: cpu.criticMs as number };
  }
  return rows;
}

function convolutionRows(
  shape: ConvolutionShape,
  mine: CaseResult,
  theirs: CaseResult | undefined,
  cpu: CaseResult | undefined,
): Row[] {
  const parts = [
    ['forward', 'forwardMs'],
    ['input gradient', 'inputGradientMs'],
    ['filter gradient', 'filterGradientMs'],
  ] as const;
  return parts.map(([part, key]) => ({
    ...row(`conv ${shape.label} ${part}`, mine[key] as number, theirs?.[key] ?? null, mine, theirs),
    ...(cpu?.[key] === undefined ? {} : { cpuMs: cpu[key] as number }),
  }));
}

const format = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

/** Prints one line per case: ours beside PyTorch, their ratio and memory. */
function printRows(rows: Row[]): void {
  const header = [
    'case',
    'ours ms',
    'torch ms',
    'ratio',
    'tfjs cpu ms',
    'peak RSS ours/torch MB',
    'wasm heap MB',
    'tf.memory peak MB',
  ];
  const cells = rows.map((r) => [
    r.name,
    format(r.oursMs),
    format(r.torchMs),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    format(r.cpuMs),
    `${format(r.oursPeakRssMb, 0)} / ${format(r.torchPeakRssMb, 0)}`,
    format(r.oursWasmHeapMb, 0),
    format(r.oursPeakTensorMb, 0),
  ]);
  printTable(header, cells);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const iterations = (normal: number, quick: number) => (options.quick ? quick : normal);
  const wanted = (name: string) => options.only === undefined || name.includes(options.only);
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `fdistill bench: ours = tfjs ${process.versions.node ? `(Node ${process.version})` : ''} wasm backend + project kernels, ${THREADS} thread; PyTorch CPU, ${THREADS} thread; ${cpuModel}, ${cpus().length} cores`,
  );
  console.log(
    `image workload: U-Net ${IMAGE_WORKLOAD.imageSize}x${IMAGE_WORKLOAD.imageSize}x${IMAGE_WORKLOAD.channels}, base ${IMAGE_WORKLOAD.baseChannels}, multipliers [${IMAGE_WORKLOAD.channelMultipliers}], ${IMAGE_WORKLOAD.blocksPerResolution} block/resolution, attention at [${IMAGE_WORKLOAD.attentionResolutions}], batch ${IMAGE_WORKLOAD.batchSize}, conv heads on taps [${IMAGE_WORKLOAD.headResolutions}], approximate R1 gamma ${IMAGE_WORKLOAD.r1Gamma}`,
  );
  const rows: Row[] = [];
  const problems: string[] = [];
  /** Runs a case `--repeat` times on each side, alternating, and keeps each side's median run. */
  const run = (spec: CaseSpec, withCpu: boolean) => {
    const mineRuns: CaseResult[] = [];
    const theirRuns: CaseResult[] = [];
    for (let repeat = 0; repeat < options.repeat; repeat++) {
      const mine = ours(spec);
      const theirs = torch(spec, options.python);
      for (const result of [mine, theirs]) if (typeof result === 'string') problems.push(result);
      if (typeof mine !== 'string') mineRuns.push(mine);
      if (typeof theirs !== 'string') theirRuns.push(theirs);
    }
    const cpu = withCpu ? ours({ ...spec, backend: 'cpu' }) : undefined;
    if (typeof cpu === 'string') problems.push(cpu);
    if (mineRuns.length === 0) return undefined;
    return {
      mine: medianRun(mineRuns),
      theirs: theirRuns.length === 0 ? undefined : medianRun(theirRuns),
      cpu: typeof cpu === 'string' ? undefined : cpu,
    };
  };
  const common = { threads: THREADS, backend: 'wasm' };
  if (wanted('2-D')) {
    const spec: CaseSpec = {
      kind: 'distill-2d',
      warmup: iterations(5, 2),
      iterations: iterations(21, 5),
      config: MIXTURE_WORKLOAD,
      ...common,
    };
    const results = run(spec, true);
    if (results)
      rows.push(...distillRows('2-D ring8 b256:', results.mine, results.theirs, results.cpu));
    const shared = run({ ...spec, threads: SHARED_THREADS }, false);
    if (shared) {
      rows.push(
        ...sharedRows(distillRows('2-D ring8 b256:', shared.mine, shared.theirs, undefined)),
      );
    }
  }
  if (wanted('image U-Net')) {
    const spec: CaseSpec = {
      kind: 'distill-image',
      warmup: 1,
      iterations: iterations(3, 1),
      config: IMAGE_WORKLOAD,
      ...common,
    };
    const results = run(spec, false);
    if (results) {
      rows.push(
        ...distillRows(
          `image U-Net b${IMAGE_WORKLOAD.batchSize}:`,
          results.mine,
          results.theirs,
          results.cpu,
        ),
      );
    }
  }
  // The fashion-mnist preset's own network, then its teacher training: each also against
  // PyTorch on every core (reusing our 1-thread run), and each with our helper threads: the
  // f-distill iteration on 2 threads a side (`[2 threads each]`), the teacher on every core
  // (`[N threads each]`).
  const allCores = cpus().length;
  /** The all-cores row of a 1-thread row: PyTorch with every core against our same run. */
  const allCoresRow = (base: Row, torchMs: number | null, theirs: CaseResult | undefined): Row => ({
    ...base,
    name: `${base.name} [PyTorch ${allCores} threads]`,
    torchMs,
    ratio: ratioOf(base.oursMs, torchMs),
    torchPeakRssMb: theirs?.peakRssMb ?? null,
    threads: allCores,
  });
  if (wanted('image preset')) {
    const spec: CaseSpec = {
      kind: 'distill-image',
      warmup: 1,
      iterations: iterations(5, 2),
      config: IMAGE_PRESET_WORKLOAD,
      ...common,
    };
    const results = run(spec, false);
    if (results) {
      const label = `image preset U-Net (base ${IMAGE_PRESET_WORKLOAD.baseChannels}) b${IMAGE_PRESET_WORKLOAD.batchSize}:`;
      const single = distillRows(label, results.mine, results.theirs, undefined);
      rows.push(...single);
      const theirs = torch({ ...spec, threads: allCores }, options.python);
      if (typeof theirs === 'string') problems.push(theirs);
      else {
        const torchMs = (theirs.generatorMs as number) + (theirs.criticMs as number);
        rows.push(allCoresRow(single[0] as Row, torchMs, theirs));
      }
    }
    const shared = run({ ...spec, threads: SHARED_THREADS }, false);
    if (shared) {
      const label = `image preset U-Net (base ${IMAGE_PRESET_WORKLOAD.baseChannels}) b${IMAGE_PRESET_WORKLOAD.batchSize}:`;
      rows.push(...sharedRows(distillRows(label, shared.mine, shared.theirs, undefined)));
    }
  }
  if (wanted('teacher sampler')) {
    // The warm start's sampler pairs: the teacher's Heun sampler, per image, on 1 thread a side,
    // then ours with helper threads (each solves its own chunk) against PyTorch on as many.
    const spec: CaseSpec = {
      kind: 'sampler-image',
      warmup: 1,
      iterations: iterations(3, 1),
      config: IMAGE_PRESET_WORKLOAD,
      chunk: 8,
      ...common,
    };
    const label = `teacher Heun sampler (18 steps, 35 NFE), U-Net (base ${IMAGE_PRESET_WORKLOAD.baseChannels}), per image`;
    const results = run(spec, false);
    if (results) {
      rows.push(
        row(
          label,
          results.mine.sampleMs as number,
          results.theirs?.sampleMs ?? null,
          results.mine,
          results.theirs,
        ),
      );
    }
    const shared = run({ ...spec, threads: SHARED_THREADS }, false);
    if (shared) {
      rows.push(
        ...sharedRows([
          row(
            label,
            shared.mine.sampleMs as number,
            shared.theirs?.sampleMs ?? null,
            shared.mine,
            shared.theirs,
          ),
        ]),
      );
    }
  }
  if (wanted('teacher')) {
    const spec: CaseSpec = {
      kind: 'teacher-image',
      warmup: iterations(2, 1),
      iterations: iterations(7, 3),
      config: TEACHER_WORKLOAD,
      ...common,
    };
    const results = run(spec, false);
    if (results) {
      const single = row(
        `teacher DSM step, preset U-Net (base ${TEACHER_WORKLOAD.baseChannels}) b${TEACHER_WORKLOAD.batchSize}`,
        results.mine.stepMs as number,
        results.theirs?.stepMs ?? null,
        results.mine,
        results.theirs,
      );
      rows.push(single);
      const theirs = torch({ ...spec, threads: allCores }, options.python);
      if (typeof theirs === 'string') problems.push(theirs);
      else rows.push(allCoresRow(single, theirs.stepMs ?? null, theirs));
      // Ours on every core too: helper threads take slices of each batch.
      const mine = ours({ ...spec, threads: allCores });
      if (typeof mine === 'string') problems.push(mine);
      else if (typeof theirs !== 'string') {
        rows.push({
          ...row(
            `${single.name} [${allCores} threads each]`,
            mine.stepMs as number,
            theirs.stepMs ?? null,
            mine,
            theirs,
          ),
          threads: allCores,
        });
      }
    }
  }
  for (const shape of CONVOLUTION_SHAPES) {
    if (!wanted(`conv ${shape.label}`)) continue;
    const spec: CaseSpec = {
      kind: 'conv',
      warmup: iterations(2, 1),
      iterations: iterations(7, 3),
      shape,
      ...common,
    };
    const results = run(spec, options.cpu);
    if (results) rows.push(...convolutionRows(shape, results.mine, results.theirs, results.cpu));
  }
  printRows(rows);
  for (const problem of problems) console.log(`! ${problem}`);
  if (problems.some((problem) => problem.startsWith('PyTorch'))) {
    console.log(
      '! PyTorch side missing: install it with `apt-get install -y python3-torch` (see bench/README.md)',
    );
  }
  if (options.json !== undefined) {
    writeFileSync(options.json, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`wrote ${options.json}`);
  }
}

await main();
