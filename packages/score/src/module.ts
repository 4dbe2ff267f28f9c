import * as tf from '@tensorflow/tfjs-core';

/** Parameter and child names: letters, digits and underscores (dots join them into paths). */
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A tree of named tfjs variables, like a PyTorch `nn.Module`: parameters and child modules are
 * registered in order, so `namedParameters()` gives stable dotted names (`blocks.0.conv.weight`)
 * that name the tensors of a safetensors state dict. Buffers are fixed tensors that belong to the
 * state (saved, loaded and copied) but are never trained (e.g. random Fourier frequencies).
 * Subclasses add their forward pass.
 *
 * @example
 * class Scale extends Module {
 *   readonly factor = this.addParameter('factor', tf.ones([1]));
 * }
 * new Scale().namedParameters().map(([name]) => name); // ['factor']
 */
export abstract class Module {
  private readonly ownParameters = new Map<string, tf.Variable>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();
  private disposed = false;

  /** Registers a trainable parameter initialized to `initial` (which the module takes over). */
  protected addParameter(name: string, initial: tf.Tensor): tf.Variable {
    this.checkNewName(name);
    const variable = tf.variable(initial, true, undefined, 'float32');
    initial.dispose();
    this.ownParameters.set(name, variable);
    return variable;
  }

  /**
   * Registers a buffer initialized to `initial` (which the module takes over): part of the state
   * dict, never trainable, not counted as a parameter.
   */
  protected addBuffer(name: string, initial: tf.Tensor): tf.Variable {
    this.checkNewName(name);
    const variable = tf.variable(initial, false, undefined, 'float32');
    initial.dispose();
    this.ownBuffers.set(name, variable);
    return variable;
  }

  /** Registers a child module under `name` and returns it. */
  protected addModule<T extends Module>(name: string, module: T): T {
    this.checkNewName(name);
    if (!(module instanceof Module)) {
      throw new TypeError(`${this.constructor.name}.addModule("${name}"): expected a Module`);
    }
    this.children.set(name, module);
    return module;
  }

  /** Registers a list of child modules as `name.0`, `name.1`, ... and returns them. */
  protected addModuleList<T extends Module>(name: string, modules: T[]): T[] {
    const list = new ModuleList(modules);
    this.addModule(name, list);
    return modules;
  }

  /** Every parameter with its dotted path, depth first in registration order. */
  namedParameters(): Array<[string, tf.Variable]> {
    const result: Array<[string, tf.Variable]> = [...this.ownParameters];
    for (const [childName, child] of this.children) {
      for (const [name, variable] of child.namedParameters()) {
        result.push([`${childName}.${name}`, variable]);
      }
    }
    return result;
  }

  /** Every buffer with its dotted path, depth first in registration order. */
  namedBuffers(): Array<[string, tf.Variable]> {
    const result: Array<[string, tf.Variable]> = [...this.ownBuffers];
    for (const [childName, child] of this.children) {
      for (const [name, variable] of child.namedBuffers()) {
        result.push([`${childName}.${name}`, variable]);
      }
    }
    return result;
  }

  /** Every parameter, in the order of `namedParameters()`. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, variable]) => variable);
  }

  /** Total number of scalar parameters. */
  parameterCount(): number {
    return this.parameters().reduce((sum, variable) => sum + variable.size, 0);
  }

  /** The parameters, then the buffers, by name (the live variables, not copies). */
  stateDict(): Map<string, tf.Variable> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Assigns every parameter and buffer from `state`. Missing, unexpected or wrongly shaped tensors throw an
   * error that names the tensor, before any parameter changes.
   */
  loadStateDict(state: ReadonlyMap<string, tf.Tensor>): void {
    const own = this.stateDict();
    for (const [name, variable] of own) {
      const tensor = state.get(name);
      if (tensor === undefined) {
        throw new Error(
          `loadStateDict: tensor "${name}" is missing (expected shape [${variable.shape}])`,
        );
      }
      if (!arraysEqual(tensor.shape, variable.shape)) {
        throw new Error(
          `loadStateDict: tensor "${name}" has shape [${tensor.shape}], expected [${variable.shape}]`,
        );
      }
    }
    for (const name of state.keys()) {
      if (!own.has(name)) {
        throw new Error(
          `loadStateDict: unexpected tensor "${name}" (this ${this.constructor.name} has no such parameter)`,
        );
      }
    }
    tf.tidy(() => {
      for (const [name, variable] of own) {
        variable.assign(tf.cast(state.get(name) as tf.Tensor, 'float32'));
      }
    });
  }

  /** Copies every parameter and buffer of `source`, a module with the same names and shapes. */
  copyParametersFrom(source: Module): void {
    this.loadStateDict(source.stateDict());
  }

  /** Makes every parameter trainable or frozen (frozen parameters get no gradient). */
  setTrainable(trainable: boolean): void {
    for (const variable of this.parameters()) variable.trainable = trainable;
  }

  /** Frees every parameter. The module cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.ownParameters.values()) variable.dispose();
    for (const variable of this.ownBuffers.values()) variable.dispose();
    for (const child of this.children.values()) child.dispose();
  }

  private checkNewName(name: string): void {
    if (!NAME_PATTERN.test(name) && !/^[0-9]+$/.test(name)) {
      throw new RangeError(`${this.constructor.name}: invalid parameter or module name "${name}"`);
    }
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.children.has(name)) {
      throw new RangeError(`${this.constructor.name}: "${name}" is already registered`);
    }
  }
}

/** A list of child modules, named by their index. */
class ModuleList extends Module {
  constructor(modules: Module[]) {
    super();
    for (const [index, module] of modules.entries()) this.addModule(String(index), module);
  }
}

function arraysEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
