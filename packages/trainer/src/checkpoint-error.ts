/**
 * A checkpoint whose bytes cannot be used: truncated, not a safetensors file, without fdistill
 * state, or from another run (divergence, tensor names or shapes). Its message names the
 * checkpoint (a file's path) and what is wrong; apps report it as bad input, not as a crash.
 *
 * @example if (error instanceof CheckpointError) console.error(error.message);
 */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}
