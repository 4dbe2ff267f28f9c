import { describeValue } from '@fdistill/utils';
import { alphaDivergence } from './alpha-divergence.js';
import type { Divergence } from './divergence.js';
import { DIVERGENCE_NAMES, type DivergenceName, getDivergence } from './registry.js';

/** `alpha:<a>` with a finite number a (e.g. `alpha:0.5`, `alpha:-1`, `alpha:1e-3`). */
const ALPHA_PATTERN = /^alpha:(-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?)$/;

/**
 * The divergence a text names, as a command line or a config writes it: one of
 * `DIVERGENCE_NAMES`, or `alpha:<a>` for the alpha family. Throws a RangeError listing what is
 * accepted for anything else.
 *
 * @example parseDivergence('alpha:0.5').h(4) // 2
 */
export function parseDivergence(text: string): Divergence {
  if (typeof text === 'string' && (DIVERGENCE_NAMES as readonly string[]).includes(text)) {
    return getDivergence(text as DivergenceName);
  }
  const alpha = typeof text === 'string' ? ALPHA_PATTERN.exec(text) : null;
  if (alpha && Number.isFinite(Number(alpha[1]))) return alphaDivergence(Number(alpha[1]));
  throw new RangeError(
    `parseDivergence(text): unknown divergence ${describeValue(text)}; expected one of ${DIVERGENCE_NAMES.join(', ')} or alpha:<a> (a number)`,
  );
}
