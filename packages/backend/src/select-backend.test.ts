import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { installHints, NODE_BACKEND_ORDER, runsInNode, selectBackend } from './select-backend.js';

/** Whether an optional package resolves from this package (the tests hold for either answer). */
function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const NODE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

describe('selectBackend', () => {
  it('in Node, picks the first that loads of tfjs-node-gpu, tfjs-node, webgpu on a hardware adapter, wasm, cpu, with kernels on wasm', async () => {
    expect(runsInNode()).toBe(true);
    expect(NODE_BACKEND_ORDER).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    const choice = await selectBackend('auto');
    const chosen = NODE_BACKEND_ORDER.indexOf(choice.name);
    // Every backend before the chosen one failed to load, and says why.
    expect(Object.keys(choice.failures)).toEqual(NODE_BACKEND_ORDER.slice(0, chosen));
    for (const [name, packageName] of Object.entries(NODE_PACKAGES)) {
      if (!installed(packageName)) {
        expect(choice.failures[name as keyof typeof NODE_PACKAGES]).toBe(
          `${packageName} is not installed`,
        );
      }
    }
    if (!Object.values(NODE_PACKAGES).some(installed)) {
      // Neither tfjs-node package (they download binaries at install), and no GPU: webgpu finds
      // no adapter, or a software one it passes over; wasm, the next fastest.
      expect(choice.name).toBe('wasm');
      expect(choice.failures.webgpu).toMatch(
        /^(software adapter .*used only when webgpu is asked for by name\)|no .*)$/,
      );
      expect(choice.reason).toContain('fastest that loads (tensorflow-gpu:');
      expect(installHints(choice.failures)).toEqual([
        'npm install @tensorflow/tfjs-node-gpu (Linux with CUDA)',
        'npm install @tensorflow/tfjs-node',
      ]);
    }
    if (choice.name === 'wasm') {
      expect(tf.getBackend()).toBe('wasm');
      // The project's kernels are in: wasm trains convolutions (stock tfjs-backend-wasm cannot).
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    }
  });

  it('loads exactly the backend asked for, or says why it cannot and how to install it', async () => {
    await expect(selectBackend('cpu')).resolves.toMatchObject({
      name: 'cpu',
      reason: 'chosen explicitly',
    });
    expect(tf.getBackend()).toBe('cpu');
    await expect(selectBackend('webgl')).rejects.toThrow(
      'backend webgl cannot load: runs only in a browser',
    );
    if (!installed(NODE_PACKAGES.tensorflow)) {
      await expect(selectBackend('tensorflow')).rejects.toThrow(
        'backend tensorflow cannot load: @tensorflow/tfjs-node is not installed; install it with: npm install @tensorflow/tfjs-node',
      );
    }
    await expect(selectBackend('metal' as never)).rejects.toThrow(
      'selectBackend: backend must be one of auto, tensorflow-gpu, tensorflow, webgpu, webgl, wasm, cpu; got "metal"',
    );
    expect(tf.getBackend()).toBe('cpu');
  });
});
