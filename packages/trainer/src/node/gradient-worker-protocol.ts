/** What a gradient worker is started with (`startGradientWorkers`). */
export interface GradientWorkerData {
  /** Modules imported first, in order (tfjs with its gradients). */
  imports: string[];
  /** A module exporting `selectBackend(name)`, and the backend's name. */
  backendModule: string;
  backendName: string;
  /** tfjs's production mode of the calling thread (no debug checks, no console notes). */
  productionMode: boolean;
  /** `UNetDenoiser` or `MlpDenoiser`. */
  architecture: string;
  networkBytes: Uint8Array;
  /** The network's parameters, flat, shared by every worker (`flatParameters`). */
  parameters: Float32Array;
}
