/**
 * `pnpm gpu-check`: what the GPU paths do on this machine, in one run. Prints the WebGPU adapter
 * Dawn finds and whether tfjs-node-gpu loads; runs the bench's 2-D, image-preset and teacher rows
 * (bench/run-case.ts, one child process each) on every GPU backend found (webgpu; tensorflow-gpu
 * when installed) and on wasm for comparison; checks that two f-distill steps (ring8 MLPs; a small
 * U-Net with conv heads and approximate R1) on each GPU backend equal the cpu backend's; writes
 * everything as JSON. A software adapter (SwiftShader) runs only with `--software`, and then with
 * small sizes (`--small`): it proves the path works, it measures nothing about GPUs.
 *
 *   pnpm gpu-check [--out bench/gpu-check.json] [--software] [--small]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DistillStepDifferences, distillStepDifferences } from '@fdistill/testing/backend';
import { twoImageDistillSteps, twoMixtureDistillSteps } from '@fdistill/testing/trainer';
import { type CaseResult, type CaseSpec, MIXTURE_WORKLOAD } from './cases.js';
import { IMAGE_PRESET_WORKLOAD, type ImageWorkloadConfig, TEACHER_WORKLOAD } from './workloads.js';
import { backend } from './workspace.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/gpu-check.json' },
    software: { type: 'boolean', default: false },
    small: { type: 'boolean', default: false },
  },
});

/** A U-Net small enough for a software adapter: proves the image path, times nothing useful. */
const SMALL_IMAGE: ImageWorkloadConfig = {
  ...IMAGE_PRESET_WORKLOAD,
  batchSize: 2,
  imageSize: 8,
  baseChannels: 8,
  channelMultipliers: [1, 2],
  attentionResolutions: [],
  groupNormGroups: 4,
  embeddingSize: 16,
  headResolutions: [8],
};

const caseFile = fileURLToPath(new URL('./run-case.ts', import.meta.url));
const started = performance.now();

/** Runs one bench case in its own process; its result, or why it failed. */
function runCase(spec: CaseSpec): CaseResult | { error: string } {
  const child = spawnSync(process.execPath, [...process.execArgv, caseFile, JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: 240_000,
  });
  const lines = (child.stdout ?? '').trim().split('\n');
  try {
    return JSON.parse(lines.at(-1) ?? '') as CaseResult;
  } catch {
    const reason = (child.stderr || child.error?.message || 'no output').trim().split('\n');
    return { error: reason.slice(-3).join(' | ') };
  }
}

/** The bench rows of one backend. */
function rowsOf(name: string) {
  const iterations = values.small ? 2 : 5;
  const common = { warmup: 1, iterations, threads: 1, backend: name };
  const image = values.small ? SMALL_IMAGE : IMAGE_PRESET_WORKLOAD;
  const teacher = values.small ? SMALL_IMAGE : TEACHER_WORKLOAD;
  const rows = {
    '2-D f-distill iteration (ring8)': runCase({
      kind: 'distill-2d',
      ...common,
      config: MIXTURE_WORKLOAD,
    }),
    [`image f-distill iteration${values.small ? ' (small U-Net)' : ' (fashion-mnist preset)'}`]:
      runCase({ kind: 'distill-image', ...common, config: image }),
    [`teacher step${values.small ? ' (small U-Net)' : ' (fashion-mnist teacher)'}`]: runCase({
      kind: 'teacher-image',
      ...common,
      config: teacher,
    }),
  };
  for (const [row, result] of Object.entries(rows))
    console.log(`  ${row}: ${JSON.stringify(result)}`);
  return rows;
}

/**
 * Two f-distill steps on `name` against cpu: the losses' largest relative difference and the
 * updates' relative difference in norm (the tests hold them under 1e-4 and 0.02).
 */
async function equalityOf(name: 'webgpu' | 'tensorflow-gpu') {
  const result: Record<string, DistillStepDifferences | { error: string }> = {};
  for (const [label, compute] of [
    ['ring8 MLPs', twoMixtureDistillSteps],
    ['small U-Net, conv heads, approximate R1', twoImageDistillSteps],
  ] as const) {
    try {
      const outputs: Record<string, Float32Array[]> = {};
      for (const on of ['cpu', name] as const) {
        await backend.selectBackend(on);
        const tensors = await compute();
        outputs[on] = (await Promise.all(tensors.map((tensor) => tensor.data()))) as Float32Array[];
        for (const tensor of tensors) tensor.dispose();
      }
      result[label] = distillStepDifferences(
        outputs[name] as Float32Array[],
        outputs.cpu as Float32Array[],
      );
    } catch (error) {
      result[label] = { error: (error as Error).message.split('\n')[0] ?? String(error) };
    }
    console.log(`  equality, ${label}: ${JSON.stringify(result[label])}`);
  }
  return result;
}

const found = await backend.nodeWebGpu().catch((error: Error) => ({
  gpu: undefined,
  reason: error.message,
  systemDrivers: [] as string[],
}));
const adapter = found.gpu === undefined ? undefined : await backend.requestWebGpuAdapter(found.gpu);
console.log(
  `webgpu adapter: ${adapter ? backend.webGpuAdapterLine(adapter) : `none (${'reason' in found ? found.reason : 'no adapter'})`}`,
);
const tensorflowGpu = await backend
  .selectBackend('tensorflow-gpu')
  .then(() => 'loads')
  .catch((error: Error) => error.message);
console.log(`tfjs-node-gpu: ${tensorflowGpu}`);

const gpuBackends: ('webgpu' | 'tensorflow-gpu')[] = [];
if (adapter && (!adapter.software || values.software)) gpuBackends.push('webgpu');
if (adapter?.software && !values.software) {
  console.log('webgpu skipped: a software adapter (run with --software --small to exercise it)');
}
if (tensorflowGpu === 'loads') gpuBackends.push('tensorflow-gpu');

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  adapter: adapter ?? null,
  tensorflowGpu,
  small: values.small,
  rows: {} as Record<string, unknown>,
  equality: {} as Record<string, unknown>,
};
for (const name of [...gpuBackends, 'wasm']) {
  console.log(`${name}:`);
  (report.rows as Record<string, unknown>)[name] = rowsOf(name);
}
for (const name of gpuBackends) {
  console.log(`${name} against cpu:`);
  (report.equality as Record<string, unknown>)[name] = await equalityOf(name);
}
report.seconds = (performance.now() - started) / 1000;
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${values.out} (${(report.seconds as number).toFixed(0)} s)`);
