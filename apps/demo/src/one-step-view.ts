// "One step vs many": the shipped Fashion-MNIST student (one network evaluation) against its
// teacher (EDM Heun on the Karras grid, with the classifier-free guidance the student was
// distilled from), both as ONNX models run by onnxruntime-web on wasm.

import { karrasSigmas } from '@fdistill/score';
import { seededUniform } from '@fdistill/utils';
import * as ort from 'onnxruntime-web/wasm';

const SIZE = 32;
const SIGMA_MAX = 80;
/** The teacher's classifier-free guidance scale: the fashion-mnist preset's `guidanceScale`. */
const GUIDANCE_SCALE = 1.5;
/** The teacher's null label (its class count): the unconditional branch of the guidance. */
const NULL_LABEL = 10;

/** What one draw measured (also written to the section's `data-result` for the test). */
export interface OneStepResult {
  label: number;
  seed: number;
  count: number;
  studentMilliseconds: number;
  teacherMilliseconds: number;
  teacherEvaluations: number;
  heunSteps: number;
}

let sessions: Promise<{ student: ort.InferenceSession; teacher: ort.InferenceSession }> | undefined;

/**
 * Loads both models once. onnxruntime's wasm binary comes from the site itself: vite emits it
 * next to the bundle that names it.
 */
function loadSessions() {
  sessions ??= (async () => {
    ort.env.wasm.numThreads = 1;
    const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'] };
    const [student, teacher] = await Promise.all([
      ort.InferenceSession.create(new URL('models/student.onnx', document.baseURI).href, options),
      ort.InferenceSession.create(new URL('models/teacher.onnx', document.baseURI).href, options),
    ]);
    // One untimed call each, so the timings below measure inference, not first-run set-up.
    const one = (data: Float32Array) => new ort.Tensor('float32', data, [1, SIZE, SIZE, 1]);
    const label = new ort.Tensor('int64', BigInt64Array.of(0n), [1]);
    await student.run({ z: one(new Float32Array(SIZE * SIZE)), labels: label });
    await teacher.run({
      x: one(new Float32Array(SIZE * SIZE)),
      sigma: new ort.Tensor('float32', Float32Array.of(1), [1]),
      labels: label,
    });
    return { student, teacher };
  })();
  return sessions;
}

/** Standard normal noise from a seeded generator (eval's `seededUniform` + Box-Muller). */
function gaussianNoise(count: number, seed: number): Float32Array {
  const uniform = seededUniform(seed);
  const out = new Float32Array(count);
  for (let index = 0; index < count; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    out[index] = radius * Math.cos(angle);
    if (index + 1 < count) out[index + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** Draws `count` 32x32 grey images in [-1, 1] as a square grid, each `scale` pixels per pixel. */
function drawGrid(canvas: HTMLCanvasElement, images: Float32Array, count: number): void {
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const gap = 2;
  canvas.width = columns * (SIZE + gap) - gap;
  canvas.height = rows * (SIZE + gap) - gap;
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  const pixels = context.createImageData(SIZE, SIZE);
  for (let image = 0; image < count; image++) {
    for (let index = 0; index < SIZE * SIZE; index++) {
      const value = images[image * SIZE * SIZE + index] as number;
      const grey = Math.round(Math.min(1, Math.max(0, (value + 1) / 2)) * 255);
      pixels.data.set([grey, grey, grey, 255], index * 4);
    }
    const x = (image % columns) * (SIZE + gap);
    const y = Math.floor(image / columns) * (SIZE + gap);
    context.putImageData(pixels, x, y);
  }
}

const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Draws `count` images of class `label` from the latents of `seed`: the student in one
 * evaluation, D(80 z), and the teacher by Heun from 80 z over `heunSteps` Karras steps
 * (2 heunSteps - 1 evaluations), timing each.
 */
export async function drawOneStepVersusMany(options: {
  label: number;
  seed: number;
  count: number;
  heunSteps: number;
  studentCanvas: HTMLCanvasElement;
  teacherCanvas: HTMLCanvasElement;
  onProgress?: (text: string) => void;
}): Promise<OneStepResult> {
  const { label, seed, count, heunSteps } = options;
  const { student, teacher } = await loadSessions();
  const shape = [count, SIZE, SIZE, 1];
  const z = gaussianNoise(count * SIZE * SIZE, seed);
  const labels = new ort.Tensor(
    'int64',
    BigInt64Array.from({ length: count }, () => BigInt(label)),
    [count],
  );

  let started = performance.now();
  const studentOutput = await student.run({ z: new ort.Tensor('float32', z, shape), labels });
  const studentMilliseconds = performance.now() - started;
  drawGrid(options.studentCanvas, studentOutput.samples?.data as Float32Array, count);
  options.onProgress?.(`student: ${studentMilliseconds.toFixed(0)} ms; teacher sampling…`);
  await nextFrame();

  // EDM's Heun sampler (Karras et al. 2022, Algorithm 1), as `heunSampler` in @fdistill/score.
  const sigmas = karrasSigmas(heunSteps, { sigmaMax: SIGMA_MAX });
  let x: Float32Array = z.map((value) => value * (sigmas[0] as number));
  let evaluations = 0;
  let networkMilliseconds = 0;
  // Guided x0: the label and the null label in one batch, `c + (w - 1) (c - u)`.
  const guidedLabels = new ort.Tensor(
    'int64',
    BigInt64Array.from({ length: 2 * count }, (_, index) =>
      BigInt(index < count ? label : NULL_LABEL),
    ),
    [2 * count],
  );
  const denoise = async (input: Float32Array, sigma: number): Promise<Float32Array> => {
    evaluations += 1;
    const before = performance.now();
    const doubled = new Float32Array(2 * input.length);
    doubled.set(input);
    doubled.set(input, input.length);
    const output = await teacher.run({
      x: new ort.Tensor('float32', doubled, [2 * count, SIZE, SIZE, 1]),
      sigma: new ort.Tensor('float32', new Float32Array(2 * count).fill(sigma), [2 * count]),
      labels: guidedLabels,
    });
    networkMilliseconds += performance.now() - before;
    const both = output.denoised?.data as Float32Array;
    return input.map((_, index) => {
      const conditional = both[index] as number;
      const unconditional = both[input.length + index] as number;
      return conditional + (GUIDANCE_SCALE - 1) * (conditional - unconditional);
    });
  };
  started = performance.now();
  for (let step = 0; step < heunSteps; step++) {
    const sigma = sigmas[step] as number;
    const next = sigmas[step + 1] as number;
    const denoised = await denoise(x, sigma);
    const slope = x.map((value, index) => (value - (denoised[index] as number)) / sigma);
    const euler = x.map((value, index) => value + (next - sigma) * (slope[index] as number));
    if (next === 0) {
      x = euler;
    } else {
      const corrected = await denoise(euler, next);
      x = x.map((value, index) => {
        const slopeNext = ((euler[index] as number) - (corrected[index] as number)) / next;
        return value + ((next - sigma) * ((slope[index] as number) + slopeNext)) / 2;
      });
    }
    if (step % 4 === 3) {
      options.onProgress?.(`teacher: step ${step + 1} of ${heunSteps}…`);
      await nextFrame();
    }
  }
  const teacherMilliseconds = performance.now() - started;
  drawGrid(options.teacherCanvas, x, count);
  return {
    label,
    seed,
    count,
    studentMilliseconds,
    teacherMilliseconds: Math.max(teacherMilliseconds, networkMilliseconds),
    teacherEvaluations: evaluations,
    heunSteps,
  };
}
