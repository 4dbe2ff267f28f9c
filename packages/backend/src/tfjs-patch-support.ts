import * as tf from '@tensorflow/tfjs-core';

/**
 * The tfjs-core release line whose internals `installLeanGradients` (the engine's `gradients`
 * method and its tape) and the wasm kernels (`BackendWasm`'s heap and tensor registry) are
 * written against.
 */
export const SUPPORTED_TFJS_CORE = '4.22';

/** Whether this package's patches of tfjs apply, and why not when they do not. */
export interface TfjsPatchSupport {
  supported: boolean;
  /** The tfjs-core version checked. */
  version: string;
  /** Why the patches decline; empty when they apply. */
  reason: string;
}

/**
 * Whether the lean backward pass and the wasm kernels apply to a tfjs-core version (default: the
 * one loaded). On any other release line they decline and tfjs's own backward pass and kernels
 * run, because the internals they replace may have changed.
 *
 * @example tfjsPatchSupport('5.0.0').reason; // 'tfjs-core 5.0.0 is not 4.22.x, ...'
 */
export function tfjsPatchSupport(version: string = tf.version_core): TfjsPatchSupport {
  const supported =
    version === SUPPORTED_TFJS_CORE || version.startsWith(`${SUPPORTED_TFJS_CORE}.`);
  return {
    supported,
    version,
    reason: supported
      ? ''
      : `tfjs-core ${version} is not ${SUPPORTED_TFJS_CORE}.x, the release whose internals these patches replace: tfjs's own backward pass and kernels run`,
  };
}
