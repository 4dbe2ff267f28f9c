/**
 * Cosine decay from `peak` at progress 0 to 0 at progress 1 (progress is clamped to [0, 1]).
 *
 * @example cosineDecay(2e-3, 0.5) // 1e-3
 */
export function cosineDecay(peak: number, progress: number): number {
  return 0.5 * peak * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, progress))));
}
