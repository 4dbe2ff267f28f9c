import type { WorkerTfjsSetup } from './worker-pool.js';

/** What a sampler worker is started with (`startSamplerWorkers`). */
export interface SamplerWorkerData extends WorkerTfjsSetup {
  /** The teacher U-Net as safetensors (`UNetDenoiser.toSafetensors()`). */
  networkBytes: Uint8Array;
}

/** One chunk of a deterministic Heun sampling for another thread (`TeacherSamplers.solve`). */
export interface SamplerChunk {
  /** Standard normal noise, flat, [size, ...sample shape] (scaled by sigma max in the sampler). */
  noise: Float32Array;
  shape: number[];
  /** Class labels, for a class-conditional teacher. */
  labels?: Int32Array;
  /** Heun steps (2 * steps - 1 network evaluations). */
  steps: number;
  /** Classifier-free guidance scale (1: none). */
  guidanceScale: number;
}
