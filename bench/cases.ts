import { PRESETS } from '../packages/cli/dist/index.js';
import type { ImageWorkloadConfig } from './workloads.js';

/** A convolution of the micro-benchmarks: square images and filters, NHWC on our side. */
export interface ConvolutionShape {
  label: string;
  batch: number;
  size: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  /** Zeros on every side (the U-Net's 'same' for odd kernels at stride 1). */
  padding: number;
}

/** What one child process runs (ours: bench/run-case.ts; PyTorch: bench/torch_bench.py). */
export type CaseSpec =
  | {
      kind: 'distill-2d';
      warmup: number;
      iterations: number;
      threads: number;
      backend: string;
      config: MixtureWorkloadConfig;
    }
  | {
      kind: 'distill-image';
      warmup: number;
      iterations: number;
      threads: number;
      backend: string;
      config: ImageWorkloadConfig;
    }
  | {
      kind: 'teacher-image';
      warmup: number;
      iterations: number;
      threads: number;
      backend: string;
      config: ImageWorkloadConfig;
    }
  | {
      /** The teacher's Heun sampler on `chunk` images per thread (`solveChunk`). */
      kind: 'sampler-image';
      warmup: number;
      iterations: number;
      threads: number;
      backend: string;
      config: ImageWorkloadConfig;
      chunk: number;
    }
  | {
      kind: 'conv';
      warmup: number;
      iterations: number;
      threads: number;
      backend: string;
      shape: ConvolutionShape;
    };

/** The ring8 preset's sizes and hyperparameters (what `PRESETS.ring8` holds), for PyTorch. */
export interface MixtureWorkloadConfig {
  batchSize: number;
  networkWidth: number;
  networkDepth: number;
  discriminatorWidth: number;
  discriminatorDepth: number;
  learningRate: number;
  ganWeight: number;
  emaDecay: number;
  r1Gamma: number;
}

/** What a child reports: medians in ms, and memory. */
export interface CaseResult {
  generatorMs?: number;
  criticMs?: number;
  /** One update of the image warm start's regression on sampler pairs. */
  regressionMs?: number;
  /** The teacher's Heun sampler (35 evaluations), per image. */
  sampleMs?: number;
  /** One teacher-training (denoising score-matching) step. */
  stepMs?: number;
  forwardMs?: number;
  inputGradientMs?: number;
  filterGradientMs?: number;
  peakRssMb: number;
  /** Largest total size of live tensors during one step (ours only). */
  peakTensorMb?: number;
  /** Size of the wasm heap at the end (ours, wasm only). */
  wasmHeapMb?: number;
}

/**
 * The U-Net's convolutions at the image workload's batch, plus the 28x28 shape DESIGN.md quotes.
 *
 * @example CONVOLUTION_SHAPES.map((shape) => shape.label);
 */
export const CONVOLUTION_SHAPES: ConvolutionShape[] = [
  conv('3x3 s1 32->32 @32 b16', 16, 32, 32, 32, 3, 1, 1),
  conv('3x3 s1 96->32 @32 b16', 16, 32, 96, 32, 3, 1, 1),
  conv('3x3 s1 64->64 @16 b16', 16, 16, 64, 64, 3, 1, 1),
  conv('3x3 s2 32->32 @32 b16', 16, 32, 32, 32, 3, 2, 1),
  conv('4x4 s2 32->32 @32 b16', 16, 32, 32, 32, 4, 2, 1),
  conv('1x1 s1 96->32 @32 b16', 16, 32, 96, 32, 1, 1, 0),
  conv('3x3 s1 32->32 @28 b32', 32, 28, 32, 32, 3, 1, 1),
];

function conv(
  label: string,
  batch: number,
  size: number,
  inChannels: number,
  outChannels: number,
  kernel: number,
  stride: number,
  padding: number,
): ConvolutionShape {
  return { label, batch, size, inChannels, outChannels, kernel, stride, padding };
}

/** The 2-D preset (ring8, as the CLI resolves it) in the form the PyTorch side reads. */
export const MIXTURE_WORKLOAD: MixtureWorkloadConfig = {
  batchSize: PRESETS.ring8.batchSize,
  networkWidth: PRESETS.ring8.networkWidth,
  networkDepth: PRESETS.ring8.networkDepth,
  discriminatorWidth: PRESETS.ring8.discriminatorWidth,
  discriminatorDepth: PRESETS.ring8.discriminatorDepth,
  learningRate: PRESETS.ring8.learningRate,
  ganWeight: PRESETS.ring8.ganWeight,
  emaDecay: PRESETS.ring8.emaDecay,
  r1Gamma: PRESETS.ring8.r1Gamma,
};
