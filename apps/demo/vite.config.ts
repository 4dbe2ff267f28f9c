import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * Binaries the page fetches at run time, by the site folder they are served from.
 * (onnxruntime-web's wasm binary needs no entry: its bundle names it with
 * `new URL(..., import.meta.url)`, so vite serves it and emits it into `assets/` itself.)
 */
const runtimeFiles: { folder: string; source: string; files: string[] }[] = [
  // tfjs-backend-wasm's `.wasm` binaries (plain, SIMD, threaded SIMD), for `selectBackend`.
  (() => {
    const source = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    return {
      folder: 'tfjs-wasm',
      source,
      files: readdirSync(source).filter((name) => name.endsWith('.wasm')),
    };
  })(),
];

/**
 * Serves the runtime binaries under `tfjs-wasm/` in `vite` (dev) and copies them there
 * in `vite build`: the built site loads everything from itself, nothing from a CDN.
 */
function runtimeBinaries(): Plugin {
  return {
    name: 'fdistill-runtime-binaries',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const match = /\/(tfjs-wasm)\/([\w.-]+\.wasm)$/.exec(request.url?.split('?')[0] ?? '');
        const entry = runtimeFiles.find((candidate) => candidate.folder === match?.[1]);
        if (!match || !entry?.files.includes(match[2] as string)) return next();
        response.setHeader('Content-Type', 'application/wasm');
        createReadStream(join(entry.source, match[2] as string)).pipe(response);
      });
    },
    generateBundle() {
      for (const { folder, source, files } of runtimeFiles) {
        for (const name of files) {
          this.emitFile({
            type: 'asset',
            fileName: `${folder}/${name}`,
            source: readFileSync(join(source, name)),
          });
        }
      }
    },
  };
}

export default defineConfig({
  // Relative asset paths: the built site works from any static host and any sub-folder.
  base: './',
  plugins: [runtimeBinaries()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  // onnxruntime-web ships prebuilt bundles; pre-bundling them only slows `vite` down.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { open: false },
});
