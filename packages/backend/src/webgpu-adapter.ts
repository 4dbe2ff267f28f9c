/** What a WebGPU adapter says about itself (`GPUAdapter.info`), plus whether it is software. */
export interface WebGpuAdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a CPU implementation of the GPU API (SwiftShader, lavapipe, llvmpipe, WARP). */
  software: boolean;
}

/** The part of a `GPUAdapter` this package reads (no DOM lib here). */
export interface WebGpuAdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>>;
  isFallbackAdapter?: boolean;
}

/** The part of `navigator.gpu` this package calls. */
export interface WebGpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<WebGpuAdapterLike | null>;
}

const SOFTWARE_ADAPTER = /swiftshader|lavapipe|llvmpipe|softpipe|software|basic render|warp/i;

/**
 * Describes an adapter: its vendor, architecture, device and driver, and whether it runs on the
 * CPU (SwiftShader, lavapipe, llvmpipe, Microsoft's WARP, or a browser's fallback adapter), where
 * tfjs-webgpu is far slower than wasm.
 *
 * @example describeWebGpuAdapter(await navigator.gpu.requestAdapter()).software // true on SwiftShader
 */
export function describeWebGpuAdapter(adapter: WebGpuAdapterLike): WebGpuAdapterDescription {
  const info = adapter.info ?? {};
  const description = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
  const text = Object.values(description).join(' ');
  return {
    ...description,
    software: adapter.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(text),
  };
}

/**
 * One line naming an adapter, for logs: `google swiftshader (SwiftShader driver 5.0.0)`.
 *
 * @example console.error(`adapter: ${webGpuAdapterLine(description)}`);
 */
export function webGpuAdapterLine(adapter: WebGpuAdapterDescription): string {
  const name = [adapter.vendor, adapter.architecture].filter((part) => part !== '').join(' ');
  const detail = adapter.description || adapter.device;
  return `${name || 'unnamed adapter'}${detail ? ` (${detail})` : ''}`;
}

/**
 * The adapter tfjs-webgpu would use (it asks for `high-performance`), described; undefined when
 * `gpu` offers none.
 *
 * @example const adapter = await requestWebGpuAdapter(navigator.gpu);
 */
export async function requestWebGpuAdapter(
  gpu: WebGpuLike,
): Promise<WebGpuAdapterDescription | undefined> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return adapter === null ? undefined : describeWebGpuAdapter(adapter);
}
