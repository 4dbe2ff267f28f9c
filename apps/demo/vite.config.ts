import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
/** tfjs-backend-wasm's `.wasm` binaries (plain, SIMD, threaded SIMD). */
const wasmFolder = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
const wasmFiles = readdirSync(wasmFolder).filter((name) => name.endsWith('.wasm'));

/**
 * Serves tfjs-backend-wasm's binaries under `tfjs-wasm/` in `vite` (dev) and copies them there in
 * `vite build`, so the page can hand `selectBackend` a `wasmPaths` next to itself.
 */
function tfjsWasmFiles(): Plugin {
  return {
    name: 'fdistill-tfjs-wasm-files',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const match = /\/tfjs-wasm\/([\w.-]+\.wasm)$/.exec(request.url?.split('?')[0] ?? '');
        if (!match || !wasmFiles.includes(match[1] as string)) return next();
        response.setHeader('Content-Type', 'application/wasm');
        createReadStream(join(wasmFolder, match[1] as string)).pipe(response);
      });
    },
    generateBundle() {
      for (const name of wasmFiles) {
        this.emitFile({
          type: 'asset',
          fileName: `tfjs-wasm/${name}`,
          source: readFileSync(join(wasmFolder, name)),
        });
      }
    },
  };
}

export default defineConfig({
  // Relative asset paths: the built site works from any static host and any sub-folder.
  base: './',
  plugins: [tfjsWasmFiles()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { open: false },
});
