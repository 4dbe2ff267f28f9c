/**
 * Issue 9's benchmark: images per second of a one-step student in onnxruntime-node, against the
 * 35-NFE teacher (Heun, 18 steps; the same network) in onnxruntime-node, and against the same
 * student in tfjs (wasm backend). Random weights: speed does not depend on them.
 *
 *   pnpm bench:onnx            (at the repository root; builds first)
 *   pnpm bench:onnx -- --json results.json
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  exportDenoiserToOnnx,
  exportStudentToOnnx,
  karrasSigmas,
  MlpDenoiser,
  type UNetConfig,
  UNetDenoiser,
} from '@fdistill/score';
import * as ort from 'onnxruntime-node';
import { FASHION_MNIST_TEACHER_NETWORK } from '../src/fashion-mnist.js';

type Network = MlpDenoiser | UNetDenoiser;

interface Case {
  name: string;
  network: Network;
  sampleShape: number[];
  batch: number;
}

/** Median wall-clock milliseconds of `run` over `repeats` runs after one warm-up. */
async function medianMs(run: () => Promise<void>, repeats: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let index = 0; index < repeats; index++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function session(bytes: Uint8Array) {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
}

async function measure({ name, network, sampleShape, batch }: Case) {
  const shape = [batch, ...sampleShape];
  const size = shape.reduce((product, value) => product * value, 1);
  const latent = new Float32Array(size).map(() => Math.random() * 2 - 1);
  const student = await session(exportStudentToOnnx(network, { sigmaMax: 80 }));
  const denoiser = await session(exportDenoiserToOnnx(network));
  const studentMs = await medianMs(async () => {
    await student.run({ z: new ort.Tensor('float32', latent, shape) });
  }, 5);
  // Heun with 18 steps on the Karras grid: 35 network evaluations.
  const sigmas = karrasSigmas(18);
  const teacherMs = await medianMs(async () => {
    let x = latent.map((value) => value * (sigmas[0] as number));
    const denoise = async (input: Float32Array, sigma: number) => {
      const result = await denoiser.run({
        x: new ort.Tensor('float32', input, shape),
        sigma: new ort.Tensor('float32', new Float32Array(batch).fill(sigma), [batch]),
      });
      return (result.denoised as ort.Tensor).data as Float32Array;
    };
    for (let step = 0; step < sigmas.length - 1; step++) {
      const [current, next] = [sigmas[step] as number, sigmas[step + 1] as number];
      const slope = (await denoise(x, current)).map(
        (denoised, index) => ((x[index] as number) - denoised) / current,
      );
      const euler = x.map((value, index) => value + (next - current) * (slope[index] as number));
      if (next === 0) {
        x = euler;
        break;
      }
      const corrected = (await denoise(euler, next)).map(
        (denoised, index) => ((euler[index] as number) - denoised) / next,
      );
      x = x.map(
        (value, index) =>
          value +
          (next - current) * 0.5 * ((slope[index] as number) + (corrected[index] as number)),
      );
    }
  }, 2);
  const z = tf.tensor(latent, shape);
  const tfjsMs = await medianMs(async () => {
    const samples = tf.tidy(() => network.denoise(tf.mul(z, 80), 80));
    await samples.data();
    samples.dispose();
  }, 5);
  z.dispose();
  await student.release();
  await denoiser.release();
  const perSecond = (ms: number) => (batch * 1000) / ms;
  return {
    name,
    batch,
    studentOnnxPerSecond: perSecond(studentMs),
    teacherOnnxPerSecond: perSecond(teacherMs),
    studentTfjsPerSecond: perSecond(tfjsMs),
    speedupOverTeacher: teacherMs / studentMs,
    onnxOverTfjs: tfjsMs / studentMs,
  };
}

/** A U-Net config without its classes. */
function unconditional(config: UNetConfig): UNetConfig {
  const { classCount: _classes, ...rest } = config;
  return rest;
}

await tf.setBackend('wasm');
const cases: Case[] = [
  {
    name: 'MLP 2-D (ring8 student)',
    network: new MlpDenoiser({ dimension: 2, width: 128, depth: 3, seed: 1 }),
    sampleShape: [2],
    batch: 1024,
  },
  {
    name: 'U-Net 28x28x1 (base 32, [1,2,2], attention at 7)',
    network: new UNetDenoiser({
      imageSize: 28,
      channels: 1,
      baseChannels: 32,
      channelMultipliers: [1, 2, 2],
      blocksPerResolution: 1,
      attentionResolutions: [7],
      groupNormGroups: 8,
      embeddingSize: 128,
      seed: 1,
    }),
    sampleShape: [28, 28, 1],
    batch: 16,
  },
  {
    // The fashion-mnist preset's network (its class embedding left out: one row lookup, no cost).
    name: 'U-Net 32x32x1 (fashion-mnist preset: base 16, [1,2,2], no attention)',
    network: new UNetDenoiser(unconditional(FASHION_MNIST_TEACHER_NETWORK)),
    sampleShape: [32, 32, 1],
    batch: 16,
  },
];
const results = [];
for (const benchmark of cases) results.push(await measure(benchmark));
console.log(
  `backend for tfjs: ${tf.getBackend()}; onnxruntime-node ${ort.env.versions.node}, cpu execution provider\n`,
);
for (const result of results) {
  console.log(
    `${result.name}, batch ${result.batch}: student ONNX ${result.studentOnnxPerSecond.toFixed(0)}/s, ` +
      `teacher ONNX 35 NFE ${result.teacherOnnxPerSecond.toFixed(1)}/s (student ${result.speedupOverTeacher.toFixed(1)}x faster), ` +
      `student tfjs ${result.studentTfjsPerSecond.toFixed(0)}/s (ONNX ${result.onnxOverTfjs.toFixed(1)}x faster)`,
  );
}
const jsonFlag = process.argv.indexOf('--json');
if (jsonFlag >= 0 && process.argv[jsonFlag + 1])
  writeFileSync(process.argv[jsonFlag + 1] as string, `${JSON.stringify(results, null, 2)}\n`);
