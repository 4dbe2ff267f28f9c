/**
 * `pnpm exec tsx bench/simd-ceiling.ts`: how many float32 operations per second one core can do
 * in WebAssembly SIMD128 (the instruction set of tfjs-backend-wasm's XNNPACK in Node 20: 4 lanes,
 * multiply and add apart, no fused multiply-add), against the convolutions of the image preset
 * as the 'wasm' backend runs them. It times a loop of `f32x4.mul` + `f32x4.add` on 12 independent
 * accumulators (enough to hide the latency of both), then the forward pass and both gradients of
 * the bench's 3x3 32 -> 32 convolution at 32x32, batch 16 (2 x 16 x 32 x 32 x 32 x 32 x 9
 * operations each), and prints GFLOP/s for each and the share of the loop's figure.
 *
 * Options: --seconds S (how long to run the loop, default 2).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
// The assembler is internal to @fdistill/backend: imported from its sources (tsx runs them).
import {
  assembleModule,
  type FunctionDefinition,
  op,
} from '../packages/backend/src/kernels/wasm-assembler.js';
import { webAssembly } from '../packages/backend/src/kernels/webassembly-api.js';
import { CONVOLUTION_SHAPES, type ConvolutionShape } from './cases.js';
import { convolutionKernels } from './convolution.js';
import { printTable } from './print-table.js';
import { medianMs } from './timing.js';
import { backend } from './workspace.js';

/** Independent accumulators of the loop. */
const ACCUMULATORS = 12;

/** Operations per iteration: each accumulator does one 4-lane multiply and one 4-lane add. */
const OPERATIONS_PER_ITERATION = ACCUMULATORS * 2 * 4;

/**
 * `peak(iterations)`: `accumulator = accumulator * m + a` on every accumulator, `iterations`
 * times, then one lane of their sum stored at address 0 (so that nothing is optimized away).
 */
function peakFunction(): FunctionDefinition {
  const iterations = 0;
  const factor = 1;
  const addend = 2;
  const first = 3;
  const accumulators = Array.from({ length: ACCUMULATORS }, (_, index) => first + index);
  const splat = (value: number) => [...op.f32Const(value), ...op.f32x4Splat()];
  return {
    name: 'peak',
    parameters: ['i32'],
    locals: ['v128', 'v128', ...accumulators.map(() => 'v128' as const)],
    body: [
      ...splat(0.999),
      ...op.localSet(factor),
      ...splat(0.001),
      ...op.localSet(addend),
      ...accumulators.flatMap((local, index) => [...splat(index), ...op.localSet(local)]),
      ...op.block(),
      ...op.loop(),
      ...op.localGet(iterations),
      ...op.i32Eqz(),
      ...op.brIf(1),
      ...accumulators.flatMap((local) => [
        ...op.localGet(local),
        ...op.localGet(factor),
        ...op.f32x4Mul(),
        ...op.localGet(addend),
        ...op.f32x4Add(),
        ...op.localSet(local),
      ]),
      ...op.localGet(iterations),
      ...op.i32Const(1),
      ...op.i32Sub(),
      ...op.localSet(iterations),
      ...op.br(0),
      ...op.end(),
      ...op.end(),
      ...op.i32Const(0),
      ...op.localGet(first),
      ...accumulators.slice(1).flatMap((local) => [...op.localGet(local), ...op.f32x4Add()]),
      ...op.f32x4ExtractLane(0),
      ...op.f32Store(),
    ],
  };
}

/** GFLOP/s of the loop: the best of 5 runs of about `seconds / 5` each. */
function loopGflops(seconds: number): number {
  const module = new webAssembly.Module(assembleModule([peakFunction()]));
  const memory = new webAssembly.Memory({ initial: 1 });
  const { peak } = new webAssembly.Instance(module, { env: { memory } }).exports as {
    peak(iterations: number): void;
  };
  peak(1e6);
  let iterations = 1e6;
  let elapsed = 0;
  while (elapsed < 0.05) {
    iterations *= 2;
    const start = performance.now();
    peak(iterations);
    elapsed = (performance.now() - start) / 1000;
  }
  const perRun = Math.max(1, Math.round((iterations * seconds) / 5 / elapsed));
  let best = 0;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    peak(perRun);
    const runSeconds = (performance.now() - start) / 1000;
    best = Math.max(best, (perRun * OPERATIONS_PER_ITERATION) / runSeconds / 1e9);
  }
  return best;
}

/** Multiply-adds of a convolution's forward pass (each gradient has as many), times two. */
function convolutionOperations(shape: ConvolutionShape): number {
  const outputSize = Math.ceil(shape.size / shape.stride);
  return (
    2 *
    shape.batch *
    outputSize *
    outputSize *
    shape.outChannels *
    shape.inChannels *
    shape.kernel *
    shape.kernel
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
  const seconds = Number(values.seconds ?? 2);
  if (!(seconds > 0))
    throw new RangeError(`--seconds must be a positive number; got ${values.seconds}`);
  const ceiling = loopGflops(seconds);
  await backend.selectBackend('wasm');
  const shape = CONVOLUTION_SHAPES[0] as ConvolutionShape;
  const kernels = convolutionKernels(shape);
  const operations = convolutionOperations(shape);
  const rows = [
    ['SIMD128 loop (f32x4 mul + add, 12 accumulators)', '-', ceiling.toFixed(1), '1.00'],
  ];
  for (const [name, run] of [
    ['forward', kernels.forward],
    ['input gradient', kernels.inputGradient],
    ['filter gradient', kernels.filterGradient],
  ] as const) {
    const milliseconds = await medianMs(async () => tf.dispose(run()), 3, 21);
    const gflops = operations / (milliseconds / 1000) / 1e9;
    rows.push([
      `conv ${shape.label} ${name}`,
      milliseconds.toFixed(2),
      gflops.toFixed(1),
      (gflops / ceiling).toFixed(2),
    ]);
  }
  kernels.dispose();
  printTable(['case', 'ms', 'GFLOP/s', 'share of the loop'], rows);
}

await main();
