import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { installHints, NODE_BACKEND_ORDER, runsInNode, selectBackend } from './select-backend.js';

describe('selectBackend', () => {
  it('in Node, picks the first that loads of tfjs-node-gpu, tfjs-node, wasm, cpu, with kernels on wasm', async () => {
    expect(runsInNode()).toBe(true);
    const choice = await selectBackend('auto');
    // This workspace installs neither tfjs-node package (they download binaries at install).
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.failures).toEqual({
      'tensorflow-gpu': '@tensorflow/tfjs-node-gpu is not installed',
      tensorflow: '@tensorflow/tfjs-node is not installed',
    });
    expect(choice.reason).toContain('fastest that loads (tensorflow-gpu:');
    expect(installHints(choice.failures)).toEqual([
      'npm install @tensorflow/tfjs-node-gpu (Linux with CUDA)',
      'npm install @tensorflow/tfjs-node',
    ]);
    // The project's kernels are in: wasm trains convolutions (stock tfjs-backend-wasm cannot).
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(NODE_BACKEND_ORDER).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
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
    await expect(selectBackend('tensorflow')).rejects.toThrow(
      'backend tensorflow cannot load: @tensorflow/tfjs-node is not installed; install it with: npm install @tensorflow/tfjs-node',
    );
    await expect(selectBackend('metal' as never)).rejects.toThrow(
      'selectBackend: backend must be one of auto, tensorflow-gpu, tensorflow, webgpu, webgl, wasm, cpu; got "metal"',
    );
    expect(tf.getBackend()).toBe('cpu');
  });
});
