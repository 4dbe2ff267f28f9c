import { openSession } from '@fdistill/testing/onnx';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from './onnx-graph-builder.js';

describe('OnnxGraphBuilder', () => {
  it('builds a model that onnxruntime runs at any batch size', async () => {
    const graph = new OnnxGraphBuilder();
    const x = graph.addInput('x', 'float32', ['batch', 2]);
    const weight = graph.addInitializer('weight', 'float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const shift = graph.addFloatConstant([0.5, -0.5, 0]);
    const product = graph.add('MatMul', [x, weight]);
    graph.add('Add', [product, shift], {}, 'y');
    graph.addOutput('y', 'float32', ['batch', 3]);
    const session = await openSession(graph.encode({ graphName: 'affine' }));
    const { Tensor } = await import('onnxruntime-node');
    for (const batch of [1, 4]) {
      const input = Float32Array.from({ length: 2 * batch }, (_, i) => i);
      const { y } = await session.run({ x: new Tensor('float32', input, [batch, 2]) });
      const expected = Array.from({ length: batch }, (_, row) => {
        const [a, b] = [input[2 * row] as number, input[2 * row + 1] as number];
        return [a + 4 * b + 0.5, 2 * a + 5 * b - 0.5, 3 * a + 6 * b];
      }).flat();
      expect(Array.from(y?.data as Float32Array)).toEqual(expected);
    }
    await session.release();
  });

  it('writes typed attributes and little-endian int64 initializers', () => {
    const graph = new OnnxGraphBuilder();
    const x = graph.addInput('x', 'float32', ['batch', 4]);
    const shape = graph.addInt64Constant([-1, 2, 2]);
    const reshaped = graph.add('Reshape', [x, shape]);
    graph.add('Transpose', [reshaped], { perm: { ints: [0, 2, 1] } }, 'y');
    graph.addOutput('y', 'float32', ['batch', 2, 2]);
    const model = onnxProto.onnx.ModelProto.decode(graph.encode({ graphName: 'g' }));
    const constant = model.graph?.initializer?.[0];
    expect(constant?.dataType).toBe(onnxProto.onnx.TensorProto.DataType.INT64);
    const raw = constant?.rawData as Uint8Array;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    expect([0, 1, 2].map((i) => Number(view.getBigInt64(8 * i, true)))).toEqual([-1, 2, 2]);
    const attribute = model.graph?.node?.[1]?.attribute?.[0];
    expect(attribute?.name).toBe('perm');
    expect(attribute?.type).toBe(onnxProto.onnx.AttributeProto.AttributeType.INTS);
    expect(attribute?.ints?.map(Number)).toEqual([0, 2, 1]);
  });

  it('refuses reads of undefined values, redefinitions and wrong sizes, naming them', () => {
    const graph = new OnnxGraphBuilder();
    const x = graph.addInput('x', 'float32', ['batch', 2]);
    expect(() => graph.add('Relu', ['h'])).toThrow(
      'OnnxGraphBuilder: Relu reads "h", which is not defined yet',
    );
    expect(() => graph.addInput('x', 'float32', [1])).toThrow(
      'OnnxGraphBuilder: the value "x" is already defined',
    );
    expect(() => graph.addInitializer('w', 'float32', [2, 2], [1, 2, 3])).toThrow(
      'OnnxGraphBuilder.addInitializer("w"): 3 values for shape [2,2] (4 expected)',
    );
    expect(() => graph.addOutput('y', 'float32', [1])).toThrow(
      'OnnxGraphBuilder: addOutput reads "y", which is not defined yet',
    );
    expect(() => graph.encode({ graphName: 'empty' })).toThrow(
      'OnnxGraphBuilder.encode: the graph has no output',
    );
    expect(graph.add('Relu', [x])).toBe('Relu_0');
  });
});
