import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module.js';

/**
 * Reads the tensors of a module's state dict by name for an exporter: each read checks the shape
 * the exporter expects (an error names the tensor), and `assertAllRead` fails when the module
 * holds a tensor the exporter never read, so a network whose structure drifted from what the
 * exporter rebuilds from its config cannot be exported silently wrong.
 *
 * @example
 * const reader = new StateDictReader(new Linear(2, 3, { seed: 1 }), 'export');
 * reader.read('weight', [2, 3]); // Float32Array(6)
 */
export class StateDictReader {
  private readonly state: Map<string, tf.Variable>;
  private readonly unread: Set<string>;

  constructor(
    module: Module,
    private readonly caller: string,
  ) {
    this.state = module.stateDict();
    this.unread = new Set(this.state.keys());
  }

  /** The values of tensor `name` (float32, row-major), which must have shape `shape`. */
  read(name: string, shape: readonly number[]): Float32Array {
    const variable = this.state.get(name);
    if (variable === undefined) {
      throw new Error(
        `${this.caller}: the network has no tensor "${name}" (expected shape [${shape}])`,
      );
    }
    if (
      variable.shape.length !== shape.length ||
      variable.shape.some((size, i) => size !== shape[i])
    ) {
      throw new Error(
        `${this.caller}: tensor "${name}" has shape [${variable.shape}], expected [${shape}]`,
      );
    }
    this.unread.delete(name);
    return Float32Array.from(variable.dataSync());
  }

  /** Throws, naming them, when some tensors of the state dict were never read. */
  assertAllRead(): void {
    if (this.unread.size > 0) {
      throw new Error(
        `${this.caller}: the network has tensors the exporter does not know: ${[...this.unread].join(', ')}`,
      );
    }
  }
}
