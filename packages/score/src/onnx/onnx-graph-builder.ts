import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The ONNX operator set the exporters target (default domain). */
export const ONNX_OPSET_VERSION = 17;

/** The ONNX IR version written into every model (IR 8 is the one of opset 17, ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

/** The element types the exporters use. */
export type OnnxElementType = 'float32' | 'int64';

/** A dimension of a graph input or output: a size, or a symbolic name such as `'batch'`. */
export type OnnxDimension = number | string;

/** A node attribute, tagged with its ONNX type. */
export type OnnxAttribute =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string };

/** What `OnnxGraphBuilder.encode` writes around the graph. */
export interface OnnxModelOptions {
  /** Name of the graph. */
  graphName: string;
  /** Description of the graph (what goes in, what comes out). */
  docString?: string;
  /** `metadata_props` of the model, e.g. the network's config. */
  metadata?: Readonly<Record<string, string>>;
}

/** The name of this package, written as the model's producer. */
const PRODUCER_NAME = '@fdistill/score';

const ELEMENT_TYPES: Record<OnnxElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

type ValueInfo = ReturnType<typeof valueInfo>;

/**
 * A small, append-only builder of one ONNX graph (opset 17): graph inputs and outputs (with
 * symbolic dimensions such as `'batch'`), float32 / int64 initializers stored as little-endian raw
 * data, and nodes added in execution order. Every node input must name a value defined before it
 * (an input, an initializer or an earlier node output), so the graph is topologically sorted by
 * construction; `encode` gives the ModelProto bytes.
 *
 * @example
 * const graph = new OnnxGraphBuilder();
 * const x = graph.addInput('x', 'float32', ['batch', 2]);
 * const weight = graph.addInitializer('weight', 'float32', [2, 3], new Float32Array(6));
 * graph.addNode('MatMul', [x, weight], {}, ['y']);
 * graph.addOutput('y', 'float32', ['batch', 3]);
 * const bytes = graph.encode({ graphName: 'linear' }); // a .onnx file
 */
export class OnnxGraphBuilder {
  private readonly defined = new Set<string>();
  private readonly nodes: Array<Record<string, unknown>> = [];
  private readonly initializers: Array<Record<string, unknown>> = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private counter = 0;

  /** Declares a graph input and returns its name. */
  addInput(
    name: string,
    elementType: OnnxElementType,
    dims: readonly OnnxDimension[],
    docString?: string,
  ): string {
    this.define(name);
    this.inputs.push(valueInfo(name, elementType, dims, docString));
    return name;
  }

  /** Declares `name` (a value already defined, e.g. the output of a node) as a graph output. */
  addOutput(
    name: string,
    elementType: OnnxElementType,
    dims: readonly OnnxDimension[],
    docString?: string,
  ): void {
    this.assertDefined(name, 'addOutput');
    this.outputs.push(valueInfo(name, elementType, dims, docString));
  }

  /** Adds a constant tensor (row-major `values`, `dims` its shape) and returns its name. */
  addInitializer(
    name: string,
    elementType: OnnxElementType,
    dims: readonly number[],
    values: ArrayLike<number>,
  ): string {
    const size = dims.reduce((product, size) => product * size, 1);
    if (values.length !== size) {
      throw new RangeError(
        `OnnxGraphBuilder.addInitializer("${name}"): ${values.length} values for shape [${dims}] (${size} expected)`,
      );
    }
    this.define(name);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: ELEMENT_TYPES[elementType],
      rawData: littleEndianBytes(elementType, values),
    });
    return name;
  }

  /** A float32 constant (a scalar when `dims` is `[]`) under a fresh name. */
  addFloatConstant(values: number | ArrayLike<number>, dims?: readonly number[]): string {
    const data = typeof values === 'number' ? [values] : values;
    return this.addInitializer(
      this.freshName('constant'),
      'float32',
      dims ?? (typeof values === 'number' ? [] : [data.length]),
      data,
    );
  }

  /** A 1-D int64 constant (shapes, axes, pads) under a fresh name. */
  addInt64Constant(values: readonly number[]): string {
    return this.addInitializer(this.freshName('constant'), 'int64', [values.length], values);
  }

  /**
   * Adds a node and returns the names of its outputs: `outputs` names them, or gives their number
   * (fresh names are made from the operator type). Inputs named `''` are omitted optional inputs.
   */
  addNode(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, OnnxAttribute>> = {},
    outputs: number | readonly string[] = 1,
  ): string[] {
    for (const input of inputs) {
      if (input !== '') this.assertDefined(input, opType);
    }
    const names =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.freshName(opType))
        : [...outputs];
    for (const name of names) this.define(name);
    this.nodes.push({
      name: `${opType}_${this.nodes.length}`,
      opType,
      input: [...inputs],
      output: names,
      attribute: Object.entries(attributes).map(([name, value]) => encodeAttribute(name, value)),
    });
    return names;
  }

  /** Adds a node with one output and returns its name. */
  add(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, OnnxAttribute>> = {},
    outputName?: string,
  ): string {
    return this.addNode(
      opType,
      inputs,
      attributes,
      outputName === undefined ? 1 : [outputName],
    )[0] as string;
  }

  /** The ModelProto bytes (IR 8, opset 17, producer `@fdistill/score`). */
  encode(options: OnnxModelOptions): Uint8Array {
    if (this.outputs.length === 0) {
      throw new Error('OnnxGraphBuilder.encode: the graph has no output');
    }
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      producerName: PRODUCER_NAME,
      opsetImport: [{ domain: '', version: ONNX_OPSET_VERSION }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({
        key,
        value,
      })),
      graph: {
        name: options.graphName,
        docString: options.docString ?? '',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private freshName(prefix: string): string {
    let name: string;
    do {
      name = `${prefix}_${this.counter++}`;
    } while (this.defined.has(name));
    return name;
  }

  private define(name: string): void {
    if (typeof name !== 'string' || name === '') {
      throw new RangeError('OnnxGraphBuilder: value names must be non-empty strings');
    }
    if (this.defined.has(name)) {
      throw new RangeError(`OnnxGraphBuilder: the value "${name}" is already defined`);
    }
    this.defined.add(name);
  }

  private assertDefined(name: string, user: string): void {
    if (!this.defined.has(name)) {
      throw new RangeError(`OnnxGraphBuilder: ${user} reads "${name}", which is not defined yet`);
    }
  }
}

function valueInfo(
  name: string,
  elementType: OnnxElementType,
  dims: readonly OnnxDimension[],
  docString = '',
) {
  return {
    name,
    docString,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[elementType],
        shape: {
          dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })),
        },
      },
    },
  };
}

function encodeAttribute(name: string, value: OnnxAttribute): Record<string, unknown> {
  const { AttributeType } = onnx.AttributeProto;
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
}

/** ONNX raw data is little-endian whatever the platform. */
function littleEndianBytes(elementType: OnnxElementType, values: ArrayLike<number>): Uint8Array {
  const width = elementType === 'float32' ? 4 : 8;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (elementType === 'float32') view.setFloat32(i * 4, value, true);
    else view.setBigInt64(i * 8, BigInt(value), true);
  }
  return bytes;
}
