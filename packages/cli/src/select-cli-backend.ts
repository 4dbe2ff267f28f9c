import { type BackendChoice, NODE_BACKEND_ORDER, selectBackend } from '@fdistill/backend';
import { UsageError } from './usage-error.js';

/**
 * The backend a command's `--backend` value names (`auto` or one of the Node backends), loaded by
 * `@fdistill/backend`'s `selectBackend`; a name that is not a Node backend is a usage error.
 *
 * @example const backend = await selectCliBackend(values.backend); // { name: 'wasm', ... }
 */
export async function selectCliBackend(value: unknown): Promise<BackendChoice> {
  const requested = value ?? 'auto';
  if (requested !== 'auto' && !NODE_BACKEND_ORDER.includes(requested as never)) {
    throw new UsageError(
      `--backend must be one of auto, ${NODE_BACKEND_ORDER.join(', ')}; got ${JSON.stringify(requested)}`,
    );
  }
  const choice = await selectBackend(requested as 'auto');
  return requested === 'auto'
    ? choice
    : { ...choice, reason: choice.reason.replace('chosen explicitly', 'chosen with --backend') };
}
