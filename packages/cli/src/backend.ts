import * as tf from '@tensorflow/tfjs';
import { installWasmKernels } from './wasm-kernels.js';

/** The tfjs backends the CLI can run on, fastest first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** A backend choice: one of `BACKEND_NAMES`, or `auto` for the first that loads. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The backend that runs, and why it was chosen. */
export interface BackendChoice {
  name: BackendName;
  reason: string;
}

/** What a backend needs: the package to import and how to install it. */
const BACKEND_PACKAGES: Record<
  BackendName,
  { module?: string; tfjsName: string; install?: string }
> = {
  'tensorflow-gpu': {
    module: '@tensorflow/tfjs-node-gpu',
    tfjsName: 'tensorflow',
    install: 'npm install @tensorflow/tfjs-node-gpu (Linux with CUDA)',
  },
  tensorflow: {
    module: '@tensorflow/tfjs-node',
    tfjsName: 'tensorflow',
    install: 'npm install @tensorflow/tfjs-node',
  },
  wasm: { module: '@tensorflow/tfjs-backend-wasm', tfjsName: 'wasm' },
  cpu: { tfjsName: 'cpu' },
};

/** Why a backend could not be loaded, by backend. */
export type BackendFailures = Partial<Record<BackendName, string>>;

async function tryBackend(name: BackendName): Promise<string | undefined> {
  const { module, tfjsName } = BACKEND_PACKAGES[name];
  try {
    if (module !== undefined) await import(/* @vite-ignore */ module);
    if (!(await tf.setBackend(tfjsName))) return `tf.setBackend('${tfjsName}') failed`;
    await tf.ready();
    if (name === 'wasm') installWasmKernels();
    return undefined;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    return module !== undefined && /Cannot find (module|package)/.test(message)
      ? `${module} is not installed`
      : message;
  }
}

/**
 * Picks the tfjs backend once, at start-up: with `'auto'`, tfjs-node-gpu, then tfjs-node, then
 * wasm, then cpu, the first that loads; otherwise exactly the one asked for (an error if it cannot
 * load). Returns the backend with a line saying why, and the reasons the faster ones were skipped.
 *
 * @example const { name, reason } = await selectBackend('auto'); console.error(`backend: ${name} (${reason})`);
 */
export async function selectBackend(
  requested: BackendName | 'auto',
): Promise<BackendChoice & { failures: BackendFailures }> {
  if (requested !== 'auto' && !BACKEND_NAMES.includes(requested)) {
    throw new RangeError(
      `--backend must be one of auto, ${BACKEND_NAMES.join(', ')}; got "${String(requested)}"`,
    );
  }
  const failures: BackendFailures = {};
  if (requested !== 'auto') {
    const failure = await tryBackend(requested);
    if (failure !== undefined) {
      const hint = BACKEND_PACKAGES[requested].install;
      throw new Error(
        `backend ${requested} cannot load: ${failure}${hint ? `; install it with: ${hint}` : ''}`,
      );
    }
    return { name: requested, reason: 'chosen with --backend', failures };
  }
  for (const name of BACKEND_NAMES) {
    const failure = await tryBackend(name);
    if (failure === undefined) {
      const skipped = Object.entries(failures).map(
        ([skippedName, why]) => `${skippedName}: ${why}`,
      );
      const reason =
        skipped.length === 0
          ? 'the fastest available'
          : `fastest that loads (${skipped.join('; ')})`;
      return { name, reason, failures };
    }
    failures[name] = failure;
  }
  throw new Error(`no tfjs backend could load: ${JSON.stringify(failures)}`);
}

/** How to install each backend that did not load. */
export function installHints(failures: BackendFailures): string[] {
  return Object.keys(failures)
    .map((name) => BACKEND_PACKAGES[name as BackendName].install)
    .filter((hint): hint is string => hint !== undefined);
}
