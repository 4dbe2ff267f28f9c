import type { Denoiser, EdmNetwork } from '@fdistill/score';
import type { Distiller } from './distiller.js';

/**
 * A built f-distill run of any kind (`buildMixtureRun`, `buildImageRun`): its distiller, the
 * networks it trains and measures, and what a fresh run does before its first step.
 */
export interface DistillRun<
  Teacher extends Denoiser = Denoiser,
  Network extends EdmNetwork = EdmNetwork,
> {
  /** The frozen teacher. */
  teacher: Teacher;
  /** The f-distill loop over the run's networks. */
  distiller: Distiller;
  /** The one-step student, trained. */
  student: Network;
  /** Its EMA copy (what a run measures and exports). */
  studentEma: Network;
  /**
   * Fits the fresh networks before distilling (a mixture run: the student to the teacher's
   * sampler, then the fake score to the student; an image run, when given sampler pairs: the
   * student to them); absent when a run starts at once. `distill` awaits it on a fresh run only.
   * An aborted `signal` (Ctrl-C) stops it after its current update.
   */
  warmStart?(signal?: AbortSignal): void | Promise<void>;
  /** Frees the distiller and every network the run built. */
  dispose(): void;
}
