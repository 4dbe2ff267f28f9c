import * as tf from '@tensorflow/tfjs-core';
import { tfjsPatchSupport } from './tfjs-patch-support.js';

/** One op recorded on tfjs's gradient tape (the fields of tfjs's internal `TapeNode` used here). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The members of tfjs's `Engine` that its `gradients` method uses. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, run: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(nameOrRun: string | (() => T), run?: () => T): T;
  gradients: GradientsMethod;
}

type GradientsMethod = (
  this: EngineInternals,
  run: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients?: boolean,
) => { value: tf.Tensor; grads: tf.Tensor[] };

/** The engines whose `gradients` method this module has replaced, with the method it replaced. */
const replaced = new WeakMap<EngineInternals, GradientsMethod>();

/**
 * Makes tfjs free memory during backpropagation, as PyTorch does. tfjs 4.22 keeps every
 * intermediate gradient and every tensor saved for the backward pass until the whole backward
 * pass ends, so a training step peaks at its activations plus a gradient for each of them; after
 * this call, a first-order backward pass frees each op's saved tensors and its output gradients
 * as soon as that op's input gradients are computed. Gradients are the same values as tfjs's
 * (the same gradient functions in the same order); higher-order gradients (`tf.grad` inside
 * `tf.grad`) keep everything, as tfjs does. Idempotent; applies to every backend. Returns
 * whether it replaced the engine's method now: it declines on a tfjs-core other than the one it
 * was written for (`tfjsPatchSupport()` says why), and tfjs's own backward pass stays.
 *
 * @example
 * installLeanGradients();
 * const { grads } = tf.variableGrads(() => loss()); // same gradients, lower peak memory
 */
export function installLeanGradients(): boolean {
  const engine = tf.engine() as unknown as EngineInternals;
  if (replaced.has(engine) || !tfjsPatchSupport().supported) return false;
  replaced.set(engine, engine.gradients);
  engine.gradients = leanGradients;
  return true;
}

/** Puts back tfjs's own backward pass (for comparisons). Returns whether anything changed. */
export function uninstallLeanGradients(): boolean {
  const engine = tf.engine() as unknown as EngineInternals;
  const original = replaced.get(engine);
  if (original === undefined) return false;
  engine.gradients = original;
  replaced.delete(engine);
  return true;
}

/** tfjs's `Engine.gradients`, with the backward pass of `backpropagate`. */
function leanGradients(
  this: EngineInternals,
  run: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients = false,
): { value: tf.Tensor; grads: tf.Tensor[] } {
  if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') {
    throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  }
  const y = this.scopedRun(
    () => this.startTape(),
    () => this.endTape(),
    () => this.tidy('forward', run),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
  const tape = this.state.activeTape ?? [];
  const nodes = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && nodes.length === 0) {
    throw new Error(
      'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
    );
  }
  // Only an outermost backward pass may free as it goes: an inner one's gradients are part of
  // the outer tape.
  const outermost = this.state.gradientDepth === 0;
  return this.tidy('backward', () => {
    const gradients = backpropagate(this, nodes, xs, y, dy ?? tf.ones(y.shape), outermost);
    const grads = xs.map((x) => gradients.get(x.id) as tf.Tensor);
    if (outermost) {
      for (const node of tape) for (const tensor of node.saved ?? []) tensor.dispose();
      this.state.activeTape = null;
    }
    return { value: y, grads };
  });
}

/**
 * Walks `nodes` backward from `y`'s gradient `seed`, accumulating a gradient per tensor id. When
 * `freeAsItGoes`, each node's saved tensors and output gradients are disposed once its input
 * gradients exist: every consumer of a tensor comes after its producer on the tape, so the
 * gradient of a node's output is complete, and used for the last time, at that node.
 */
function backpropagate(
  engine: EngineInternals,
  nodes: readonly TapeNode[],
  xs: readonly tf.Tensor[],
  y: tf.Tensor,
  seed: tf.Tensor,
  freeAsItGoes: boolean,
): Map<number, tf.Tensor> {
  const gradients = new Map<number, tf.Tensor>([[y.id, seed]]);
  const stored = new Set<tf.Tensor>([seed]);
  const requested = new Set(xs.map((x) => x.id));
  for (let index = nodes.length - 1; index >= 0; index--) {
    const node = nodes[index] as TapeNode;
    const dys = node.outputs.map((output) => gradients.get(output.id) ?? null);
    if (node.gradient == null) {
      throw new Error(
        `Cannot compute gradient: gradient function not found for ${node.kernelName}.`,
      );
    }
    const gradientOf = node.gradient;
    const inputNames = Object.keys(node.inputs);
    // One scope for the whole gradient function: what it computes before returning its
    // thunks (a custom op's gradient, zeros for unused outputs) is freed with the rest.
    const inputGradients = engine.tidy(() => {
      const thunks = gradientOf(dys);
      return inputNames.map((inputName) => {
        const thunk = thunks[inputName];
        if (thunk === undefined) {
          throw new Error(
            `Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(thunks)}.`,
          );
        }
        return thunk();
      });
    });
    inputNames.forEach((inputName, position) => {
      let dx = inputGradients[position] as tf.Tensor;
      const x = node.inputs[inputName] as tf.Tensor;
      if (dx.dtype !== 'float32') {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      }
      if (!arraysEqual(dx.shape, x.shape)) {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
        );
      }
      // A gradient function may hand back a tensor already held for another tensor (its dy,
      // say) or one of its saved tensors: hold a copy (shared data), so that freeing one never
      // frees the other.
      if (stored.has(dx) || node.saved?.includes(dx)) dx = dx.clone();
      const current = gradients.get(x.id);
      if (current === undefined) {
        gradients.set(x.id, dx);
        stored.add(dx);
      } else {
        const sum = tf.add(current, dx);
        gradients.set(x.id, sum);
        stored.delete(current);
        stored.add(sum);
        current.dispose();
        if (freeAsItGoes) dx.dispose();
      }
    });
    if (freeAsItGoes) {
      for (const output of node.outputs) {
        const gradient = gradients.get(output.id);
        if (gradient === undefined || requested.has(output.id) || gradient === seed) continue;
        gradients.delete(output.id);
        stored.delete(gradient);
        gradient.dispose();
      }
      for (const tensor of node.saved ?? []) tensor.dispose();
    }
  }
  return gradients;
}

/**
 * The nodes of `tape` on a path from any of `xs` to `y`, in tape order, each with its inputs
 * narrowed to those that depend on `xs` (the same selection as tfjs's own backward pass).
 */
function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor) {
  const dependsOnX = new Set(xs.map((x) => x.id));
  const fromX = new Set<TapeNode>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => dependsOnX.has(input.id))) {
      fromX.add(node);
      for (const output of node.outputs) dependsOnX.add(output.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const toY = new Set<TapeNode>();
  for (let index = tape.length - 1; index >= 0; index--) {
    const node = tape[index] as TapeNode;
    if (node.outputs.some((output) => leadsToY.has(output.id))) {
      toY.add(node);
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
    }
  }
  return tape
    .filter((node) => fromX.has(node) && toY.has(node))
    .map((node) => ({
      ...node,
      inputs: Object.fromEntries(
        Object.entries(node.inputs).filter(([, input]) => dependsOnX.has(input.id)),
      ),
    }));
}

function arraysEqual(first: readonly number[], second: readonly number[]): boolean {
  return first.length === second.length && first.every((value, index) => value === second[index]);
}
