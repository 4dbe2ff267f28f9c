import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_TFJS_CORE, tfjsPatchSupport } from './tfjs-patch-support.js';

describe('tfjsPatchSupport', () => {
  it('applies to the tfjs-core release the patches were written for, which is the one installed', () => {
    expect(tfjsPatchSupport('4.22.0')).toEqual({ supported: true, version: '4.22.0', reason: '' });
    expect(tfjsPatchSupport('4.22.7').supported).toBe(true);
    expect(tf.version_core.startsWith(`${SUPPORTED_TFJS_CORE}.`)).toBe(true);
    expect(tfjsPatchSupport().supported).toBe(true);
  });

  it('declines any other release and says why', () => {
    for (const version of ['4.21.0', '4.23.0', '5.0.0', '4.220.0']) {
      const support = tfjsPatchSupport(version);
      expect(support.supported, version).toBe(false);
      expect(support.reason).toBe(
        `tfjs-core ${version} is not 4.22.x, the release whose internals these patches replace: tfjs's own backward pass and kernels run`,
      );
    }
  });
});
