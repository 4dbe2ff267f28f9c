import { describe, expect, it } from 'vitest';
import { assembleModule, op } from './wasm-assembler.js';
import { webAssembly } from './webassembly-api.js';

/** `double(address)`: the float32 at `address` times two, written back in place. */
const DOUBLE = {
  name: 'double',
  parameters: ['i32' as const],
  locals: [],
  body: [
    ...op.localGet(0),
    ...op.localGet(0),
    ...op.f32Load(),
    ...op.f32Const(2),
    ...op.f32Mul(),
    ...op.f32Store(),
  ],
};

describe('assembleModule', () => {
  it('imports an unshared memory of any size', () => {
    const memory = new webAssembly.Memory({ initial: 3 });
    const module = new webAssembly.Module(assembleModule([DOUBLE]));
    const { double } = new webAssembly.Instance(module, { env: { memory } }).exports as {
      double(address: number): void;
    };
    memory.grow(1);
    const index = 3 * 16384; // the first float of the page just grown
    new Float32Array(memory.buffer)[index] = 1.5;
    double(index * 4);
    expect(new Float32Array(memory.buffer)[index]).toBe(3);
  });

  it('imports a shared memory, whatever its maximum, as a threaded Emscripten build has', () => {
    for (const maximum of [1, 300, 32768, 65536]) {
      const memory = new webAssembly.Memory({ initial: 1, maximum, shared: true });
      expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
      const module = new webAssembly.Module(assembleModule([DOUBLE], 'shared'));
      const { double } = new webAssembly.Instance(module, { env: { memory } }).exports as {
        double(address: number): void;
      };
      new Float32Array(memory.buffer)[10] = -0.25;
      double(40);
      expect(new Float32Array(memory.buffer)[10], `maximum ${maximum}`).toBe(-0.5);
    }
  });

  it('keeps the two kinds apart: each import refuses the other kind of memory', () => {
    const shared = new webAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    const unshared = new webAssembly.Memory({ initial: 1 });
    const unsharedModule = new webAssembly.Module(assembleModule([DOUBLE]));
    const sharedModule = new webAssembly.Module(assembleModule([DOUBLE], 'shared'));
    expect(() => new webAssembly.Instance(unsharedModule, { env: { memory: shared } })).toThrow();
    expect(() => new webAssembly.Instance(sharedModule, { env: { memory: unshared } })).toThrow();
  });
});
