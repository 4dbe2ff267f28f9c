/** Formats seconds as `1m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

/**
 * A one-line progress bar on a terminal stream (redrawn in place on a TTY, a line every 10% when
 * piped): steps, a bar, the latest values and the ETA from the average step time.
 *
 * @example const bar = new ProgressBar(2000, process.stderr); bar.update(10, 'loss 0.4');
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastPrintedTenth = -1;

  constructor(
    readonly total: number,
    readonly stream: NodeJS.WriteStream = process.stderr,
    readonly firstStep = 0,
  ) {}

  /** Shows `done` of `total` steps with a short status text. */
  update(done: number, status: string): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = (done - this.firstStep) / Math.max(elapsed, 1e-9);
    const remaining = rate > 0 ? (this.total - done) / rate : Number.NaN;
    const fraction = this.total === 0 ? 1 : done / this.total;
    const width = 24;
    const filled = Math.round(fraction * width);
    const line = `${String(done).padStart(String(this.total).length)}/${this.total} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${status}  ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(remaining)}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.lastPrintedTenth) {
      this.lastPrintedTenth = tenth;
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the line on a TTY. */
  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
