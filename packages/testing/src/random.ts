import { seededUniform } from '@fdistill/utils';

/** Seeded random numbers for the tests: Mulberry32 uniforms and Box-Muller normals. */
export function seededRandom(seed: number): { uniform: () => number; normal: () => number } {
  const uniform = seededUniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** `rows x columns` standard normal values, plus `shift`, as rows of numbers. */
export function normalRows(
  random: { normal: () => number },
  rows: number,
  columns: number,
  shift = 0,
): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: columns }, () => random.normal() + shift),
  );
}

/** An integer uniform in [low, high]. */
export function randomInteger(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** `size` values uniform in [-1, 1). */
export function randomValues(random: () => number, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => 2 * random() - 1);
}
