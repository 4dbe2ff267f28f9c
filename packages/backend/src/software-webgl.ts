/**
 * The renderer a WebGL context would run on, when it is a software rasterizer (SwiftShader,
 * llvmpipe, softpipe: headless or GPU-less browsers), where tfjs-webgl trains far slower than
 * wasm (measured in headless chromium: a 300-update warm start of ring8 did not finish in 100 s
 * on webgl/SwiftShader, 20 s on wasm). Undefined for a GPU, for no WebGL, and outside browsers.
 * Works in a page and in a worker (it uses an OffscreenCanvas).
 *
 * @example if (softwareWebGlRenderer()) console.log('webgl here is a CPU rasterizer');
 */
export function softwareWebGlRenderer(): string | undefined {
  const { OffscreenCanvas } = globalThis as unknown as { OffscreenCanvas?: OffscreenCanvasClass };
  if (OffscreenCanvas === undefined) return undefined;
  try {
    const context = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!context) return undefined;
    const info = context.getExtension('WEBGL_debug_renderer_info') as {
      UNMASKED_RENDERER_WEBGL: number;
    } | null;
    const renderer = String(
      context.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : context.RENDERER),
    );
    (context.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer) ? renderer : undefined;
  } catch {
    return undefined;
  }
}

/** The part of the DOM's OffscreenCanvas and WebGL2 context this file uses (no DOM lib here). */
interface OffscreenCanvasClass {
  new (
    width: number,
    height: number,
  ): {
    getContext(kind: 'webgl2'): {
      RENDERER: number;
      getExtension(name: string): unknown;
      getParameter(name: number): unknown;
    } | null;
  };
}
