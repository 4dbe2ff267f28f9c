import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Dimension = number | string;

function valueInfo(name: string, dims: Dimension[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })),
        },
      },
    },
  };
}

/** Encodes a one-graph ONNX model (opset 13) with float inputs, outputs and initializers. */
function encodeModel(graph: {
  nodes: { opType: string; input: string[]; output: string[] }[];
  inputs: [string, Dimension[]][];
  outputs: [string, Dimension[]][];
  initializers?: { name: string; dims: number[]; values: number[] }[];
}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@fdistill/eval tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'test',
      node: graph.nodes,
      input: graph.inputs.map(([name, dims]) => valueInfo(name, dims)),
      output: graph.outputs.map(([name, dims]) => valueInfo(name, dims)),
      initializer: (graph.initializers ?? []).map(({ name, dims, values }) => ({
        name,
        dims,
        dataType: FLOAT,
        floatData: values,
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Writes `relu(input W + b)` as an ONNX file: input `[batch, inputs]`, output `[batch, outputs]`.
 * Returns its path.
 */
export async function writeDenseReluModel(
  folder: string,
  weights: number[][],
  bias: number[],
): Promise<string> {
  const inputs = weights.length;
  const outputs = bias.length;
  const path = join(folder, 'dense-relu.onnx');
  await writeFile(
    path,
    encodeModel({
      nodes: [
        { opType: 'MatMul', input: ['input', 'weights'], output: ['product'] },
        { opType: 'Add', input: ['product', 'bias'], output: ['sum'] },
        { opType: 'Relu', input: ['sum'], output: ['features'] },
      ],
      inputs: [['input', ['batch', inputs]]],
      outputs: [['features', ['batch', outputs]]],
      initializers: [
        { name: 'weights', dims: [inputs, outputs], values: weights.flat() },
        { name: 'bias', dims: [outputs], values: bias },
      ],
    }),
  );
  return path;
}

/**
 * Writes an image model with two outputs: `pixels` (its input, flattened) and `pool` (global
 * average pooling, `[batch, 3, 1, 1]` like Inception's pool3). Input `[batch, 3, size, size]`
 * (NCHW) or `[batch, size, size, 3]` (NHWC; then `pool` is not meaningful and not included).
 */
export async function writeImageProbeModel(
  folder: string,
  size: number,
  layout: 'NCHW' | 'NHWC',
): Promise<string> {
  const path = join(folder, `image-probe-${layout}.onnx`);
  const inputDims: Dimension[] =
    layout === 'NCHW' ? ['batch', 3, size, size] : ['batch', size, size, 3];
  const nodes = [{ opType: 'Flatten', input: ['images'], output: ['pixels'] }];
  const outputs: [string, Dimension[]][] = [['pixels', ['batch', 3 * size * size]]];
  if (layout === 'NCHW') {
    nodes.push({ opType: 'GlobalAveragePool', input: ['images'], output: ['pool'] });
    outputs.push(['pool', ['batch', 3, 1, 1]]);
  }
  await writeFile(path, encodeModel({ nodes, inputs: [['images', inputDims]], outputs }));
  return path;
}
