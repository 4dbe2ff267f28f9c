import { describeValue } from '@fdistill/utils';
import type { Divergence } from './divergence.js';
import { forwardKl } from './divergences/forward-kl.js';
import { jeffreys } from './divergences/jeffreys.js';
import { jensenShannon } from './divergences/jensen-shannon.js';
import { neyman } from './divergences/neyman.js';
import { pearson } from './divergences/pearson.js';
import { reverseKl } from './divergences/reverse-kl.js';
import { softenedReverseKl } from './divergences/softened-reverse-kl.js';
import { squaredHellinger } from './divergences/squared-hellinger.js';

/** Names accepted by `getDivergence`. */
export const DIVERGENCE_NAMES = [
  'reverse-kl',
  'softened-rkl',
  'js',
  'squared-hellinger',
  'forward-kl',
  'jeffreys',
  'pearson',
  'neyman',
] as const;

/** A name accepted by `getDivergence`. */
export type DivergenceName = (typeof DIVERGENCE_NAMES)[number];

const divergences: Record<DivergenceName, Divergence> = {
  'reverse-kl': reverseKl,
  'softened-rkl': softenedReverseKl,
  js: jensenShannon,
  'squared-hellinger': squaredHellinger,
  'forward-kl': forwardKl,
  jeffreys,
  pearson,
  neyman,
};

/**
 * The named f-divergence, with the scales of paper Table 1 (JS: h = r / (r + 1); squared
 * Hellinger: h = sqrt(r) / 4). Throws an error listing the valid names for any other name.
 *
 * @example getDivergence('js').h(1) // 0.5
 */
export function getDivergence(name: DivergenceName): Divergence {
  if (typeof name !== 'string' || !Object.hasOwn(divergences, name)) {
    throw new RangeError(
      `getDivergence(name): unknown divergence ${describeValue(name)}; expected one of: ${DIVERGENCE_NAMES.join(', ')}`,
    );
  }
  return divergences[name];
}

/**
 * Every named f-divergence, in the order of paper Table 1 followed by Pearson and Neyman.
 *
 * @example listDivergences().map((divergence) => divergence.name)
 */
export function listDivergences(): Divergence[] {
  return DIVERGENCE_NAMES.map((name) => divergences[name]);
}
