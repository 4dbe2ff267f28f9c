/** Summary statistics of a per-sample quantity over a batch. */
export interface BatchStatistics {
  mean: number;
  min: number;
  max: number;
}

/** What one f-distill step reports (the CLI turns these into a progress bar and metrics.jsonl). */
export interface DistillStepEvent {
  /** Index of the step just taken (0-based). */
  step: number;
  /** `'generator'` on steps where `step % tau == 0`, `'critic'` (fake score + discriminator) otherwise. */
  phase: 'generator' | 'critic';
  /** Losses of this step's phase. */
  losses: {
    generator?: number;
    fDistill?: number;
    ganGenerator?: number;
    fakeScore?: number;
    discriminator?: number;
    r1?: number;
  };
  /** The density ratio r after clamp/clip and stage-one normalization (generator steps). */
  ratio?: BatchStatistics;
  /** The weighting h(r) before batch normalization (generator steps). */
  weight?: BatchStatistics;
  /** Global gradient norm of the generator before clipping (generator steps). */
  generatorGradientNorm?: number;
  /** Wall-clock seconds of this step. */
  seconds: number;
}
