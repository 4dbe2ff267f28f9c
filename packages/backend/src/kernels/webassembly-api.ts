/** The parts of the WebAssembly JS API used by the kernels, their tests and the benches. */
export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }) => WebAssemblyMemory;
}

/** A `WebAssembly.Memory`: its buffer (shared when the memory is) and how it grows. */
export interface WebAssemblyMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/**
 * The WebAssembly JS API of this runtime (Node or a browser), typed here because the project's
 * TypeScript lib has no DOM types.
 *
 * @example new webAssembly.Module(assembleModule(functions));
 */
export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
