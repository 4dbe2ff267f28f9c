/**
 * The shared memory between `startGradientWorkers` and each gradient worker: one control array
 * of Int32 slots (named by `CONTROL`), the parameters (shared by all workers), and per worker its
 * slice's inputs, its gradient, its loss and an error message.
 */
export interface ShardBuffers {
  control: Int32Array;
  parameters: Float32Array;
  gradients: Float32Array;
  loss: Float64Array;
  x: Float32Array;
  noise: Float32Array;
  sigma: Float32Array;
  labels: Int32Array;
  error: Uint8Array;
}

/**
 * The control slots, by index: `job` (the job number the worker should run; `STOP` ends it),
 * `done` (the last job it finished), `failed` (1 when that job threw), `size` (samples in the
 * slice), `hasLabels` (1 for a class-conditional slice).
 */
export const CONTROL = ['job', 'done', 'failed', 'size', 'hasLabels'] as const;

/** The `job` value that stops a worker. */
export const STOP = -1;

/** What a gradient worker is started with. */
export interface GradientWorkerData {
  /** Modules imported first, in order (tfjs with its gradients). */
  imports: string[];
  backendModule: string;
  backendName: string;
  /** tfjs's production mode of the calling thread (no debug checks, no console notes). */
  productionMode: boolean;
  /** `UNetDenoiser` or `MlpDenoiser`. */
  architecture: string;
  networkBytes: Uint8Array;
  buffers: ShardBuffers;
}

/** Writes `message` (UTF-8, cut to the buffer) into an error buffer: 4 bytes of length, then text. */
export function writeErrorMessage(buffer: Uint8Array, message: string): void {
  const bytes = new TextEncoder().encode(message).subarray(0, buffer.length - 4);
  new DataView(buffer.buffer, buffer.byteOffset).setUint32(0, bytes.length, true);
  buffer.set(bytes, 4);
}

/** Reads what `writeErrorMessage` wrote. */
export function readErrorMessage(buffer: Uint8Array): string {
  const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(0, true);
  return new TextDecoder().decode(buffer.slice(4, 4 + length));
}

/** The shape of one sample of a network's data: [size, size, channels] (U-Net) or [dimension] (MLP). */
export function sampleShapeOf(config: {
  imageSize?: number;
  channels?: number;
  dimension?: number;
}): number[] {
  return config.imageSize !== undefined && config.channels !== undefined
    ? [config.imageSize, config.imageSize, config.channels]
    : [config.dimension as number];
}
