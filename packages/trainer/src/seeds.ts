import { mixSeedBits } from '@fdistill/score';
import { assertIntegerAtLeast } from '@fdistill/utils';

/** The random streams of a training step; each gets its own seed. */
export type RandomStream =
  | 'latent'
  | 'generator-sigma'
  | 'generator-noise'
  | 'fake-sigma'
  | 'fake-noise'
  | 'real-data'
  | 'real-sigma'
  | 'real-noise'
  | 'penalty-noise'
  | 'teacher-sigma'
  | 'teacher-noise'
  | 'labels'
  | 'prefit-latent'
  | 'prefit-sigma'
  | 'prefit-noise'
  | 'warm-start-latent'
  | 'warm-start-batch';

const STREAM_IDS: Record<RandomStream, number> = {
  latent: 1,
  'generator-sigma': 2,
  'generator-noise': 3,
  'fake-sigma': 4,
  'fake-noise': 5,
  'real-data': 6,
  'real-sigma': 7,
  'real-noise': 8,
  'penalty-noise': 9,
  'teacher-sigma': 10,
  'teacher-noise': 11,
  labels: 12,
  'prefit-latent': 13,
  'prefit-sigma': 14,
  'prefit-noise': 15,
  'warm-start-latent': 16,
  'warm-start-batch': 17,
};

/**
 * The seed of one random stream at one step: a hash (SplitMix32 rounds of score's `mixSeedBits`) of the run's seed,
 * the step and the stream. Every random draw of a run comes from such a seed, so the whole random
 * state of a run is its seed and its step, and a resumed run draws exactly what an uninterrupted
 * one would.
 *
 * @example stepSeed(0, 12, 'latent') // the same number on every machine
 */
export function stepSeed(runSeed: number, step: number, stream: RandomStream): number {
  assertIntegerAtLeast('stepSeed: runSeed', runSeed, 0);
  assertIntegerAtLeast('stepSeed: step', step, 0);
  let hash = mix(runSeed >>> 0);
  hash = mix(hash ^ (step >>> 0));
  hash = mix(hash ^ Math.floor(step / 2 ** 32));
  // Never 0: tfjs's random ops treat a seed of 0 as no seed at all.
  return mix(hash ^ STREAM_IDS[stream]) || 1;
}

/** A SplitMix32 round: the golden-ratio increment, then the project's one seed hash. */
function mix(value: number): number {
  return mixSeedBits(value + 0x9e3779b9);
}
