import { formatTable } from '@fdistill/utils';
import type { Divergence, ModeSeeking } from './divergence.js';
import { normalizedVariance } from './normalized-variance.js';
import { listDivergences } from './registry.js';

/** Ratios at which `divergenceTable` evaluates h. */
export const TABLE_RATIOS = [0.1, 0.5, 1, 2, 10] as const;

/** One row of the computed paper Table 1. */
export interface DivergenceTableRow {
  name: string;
  label: string;
  /** h at each of `TABLE_RATIOS`. */
  weights: number[];
  modeSeeking: ModeSeeking;
  saturates: boolean;
  /** Exponents of f'' as r -> inf and r -> 0 (paper Table 6). */
  tailWeights: { right: number; left: number };
  /** Normalized variance of h for unit Gaussians at mean distance 1 and 2 (paper Fig. 5a). */
  normalizedVariance: { atDistance1: number; atDistance2: number };
}

/**
 * Paper Table 1 (and Table 6, Fig. 5a at m = 1, 2), computed from the code for each divergence.
 *
 * @example divergenceTable().find((row) => row.name === 'js')?.modeSeeking // 'medium'
 */
export function divergenceTable(
  divergences: Divergence[] = listDivergences(),
): DivergenceTableRow[] {
  return divergences.map((divergence) => ({
    name: divergence.name,
    label: divergence.label,
    weights: TABLE_RATIOS.map((r) => divergence.h(r)),
    modeSeeking: divergence.modeSeeking,
    saturates: divergence.saturates,
    tailWeights: { ...divergence.tailWeights },
    normalizedVariance: {
      atDistance1: normalizedVariance(divergence, 1),
      atDistance2: normalizedVariance(divergence, 2),
    },
  }));
}

/**
 * Renders `divergenceTable()` rows as a fixed-width text table.
 *
 * @example console.log(formatDivergenceTable(divergenceTable()));
 */
export function formatDivergenceTable(rows: DivergenceTableRow[]): string {
  const power = (exponent: number) => `r^${exponent}`;
  const header = [
    'divergence',
    ...TABLE_RATIOS.map((r) => `h(${r})`),
    'mode-seeking',
    'saturates',
    "f'' at inf",
    "f'' at 0",
    'Var m=1',
    'Var m=2',
  ];
  const body = rows.map((row) => [
    row.label,
    ...row.weights.map((weight) => format(weight)),
    row.modeSeeking,
    row.saturates ? 'yes' : 'no',
    power(row.tailWeights.right),
    power(row.tailWeights.left),
    format(row.normalizedVariance.atDistance1),
    format(row.normalizedVariance.atDistance2),
  ]);
  return formatTable(header, body);
}

function format(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e4 || magnitude < 1e-3 ? value.toExponential(3) : value.toPrecision(4);
}
