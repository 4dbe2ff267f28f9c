import type { MixtureRunSettings } from '@fdistill/trainer';

/** What the page asks of the training worker. */
export type WorkerRequest =
  | { type: 'init'; backend: string; wasmPaths: string }
  | {
      type: 'start';
      runId: number;
      settings: MixtureRunSettings;
      totalSteps: number;
      /** An evaluation (samples, metrics, h histogram) every this many steps and at the end. */
      evaluateEvery: number;
      sampleCount: number;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' };

/** One distillation step as the page plots it. */
export interface StepPoint {
  step: number;
  phase: 'generator' | 'critic';
  generator?: number;
  fakeScore?: number;
  discriminator?: number;
  weightMean?: number;
  seconds: number;
}

/** The last evaluation: the EMA student's samples and the measures recomputed from them. */
export interface Evaluation {
  runId: number;
  /** Steps taken when the samples were drawn. */
  step: number;
  mixture: string;
  divergence: string;
  seed: number;
  /** Row-major [sampleCount, 2]. */
  samples: number[][];
  /** High-quality samples a mode needs to count as captured (20 per 2,500 drawn, as the CLI). */
  minimumCount: number;
  modesCaptured: number;
  modeCount: number;
  highQualityFraction: number;
  modeKlDivergence: number;
  /** h(r) of fresh noisy student samples (`Distiller.weightingOfSamples`), divided by their mean. */
  normalizedWeights: number[];
}

/** What the training worker tells the page. */
export type WorkerEvent =
  | { type: 'backend'; name: string; reason: string }
  | { type: 'teacher'; runId: number; samples: number[][] }
  | {
      type: 'phase';
      runId: number;
      phase: 'building' | 'warm-start' | 'prefit' | 'distilling' | 'paused' | 'done' | 'idle';
      detail: string;
    }
  | { type: 'steps'; runId: number; points: StepPoint[] }
  | { type: 'log'; runId: number; message: string }
  | ({ type: 'evaluation' } & Evaluation)
  | { type: 'error'; runId: number; message: string };
