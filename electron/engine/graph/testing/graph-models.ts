/**
 * ONNX models for the graph tests, built with onnx-buf: initializers stored
 * every way ONNX allows (raw bytes, typed fields, strings, external data),
 * attributes of each kind, unnamed nodes, a subgraph; and long chains.
 */
import { type MessageInitShape, create, toBinary } from '@bufbuild/protobuf';
import {
  type AttributeProto,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from 'onnx-buf';

export function vi(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType,
          shape: create(TensorShapeProtoSchema, {
            dim: dims.map((d) => create(TensorShapeProto_DimensionSchema, { value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } })),
          }),
        }),
      },
    }),
  });
}

export function rawTensor(name: string, dataType: number, dims: number[], raw: ArrayBufferView): TensorProto {
  return create(TensorProtoSchema, { name, dataType, dims: dims.map(BigInt), rawData: Uint8Array.from(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)) });
}

export function node(opType: string, inputs: string[], outputs: string[], name = '', attribute: AttributeProto[] = []): NodeProto {
  return create(NodeProtoSchema, { opType, input: inputs, output: outputs, name, attribute });
}

export function attr(a: MessageInitShape<typeof AttributeProtoSchema> & { name: string }): AttributeProto {
  return create(AttributeProtoSchema, a);
}

export function model(parts: { nodes: NodeProto[]; initializers?: TensorProto[]; inputs: ValueInfoProto[]; outputs: ValueInfoProto[]; valueInfo?: ValueInfoProto[]; opset?: number }): Uint8Array {
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: 'graph-tests',
      producerVersion: '1.0',
      domain: 'lab.tests',
      modelVersion: 3n,
      docString: 'a test model',
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(parts.opset ?? 17) })],
      metadataProps: [create(StringStringEntryProtoSchema, { key: 'author', value: 'tests' })],
      graph: create(GraphProtoSchema, {
        name: 'main',
        node: parts.nodes,
        initializer: parts.initializers ?? [],
        input: parts.inputs,
        output: parts.outputs,
        valueInfo: parts.valueInfo ?? [],
      }),
    }),
  );
}

/** Weights 'w' FP32 [2, 3] kept at offset 16 of `weights.bin` (the file is returned too). */
export const EXTERNAL_W = [1.5, -2, 3.25, 0, 1e-3, 42];

/**
 * A model using every kind of storage and attribute:
 * w (external), b (raw INT64), f (float_data), h (FP16 bits in int32_data),
 * s (string_data), a Constant scalar, an unnamed node, an If with subgraphs.
 */
export function everythingModel(): { onnx: Uint8Array; weights: Uint8Array } {
  const weights = new Uint8Array(16 + 24);
  new Float32Array(weights.buffer, 16, 6).set(EXTERNAL_W);
  const w = create(TensorProtoSchema, {
    name: 'w',
    dataType: 1,
    dims: [2n, 3n],
    dataLocation: 1,
    externalData: [
      create(StringStringEntryProtoSchema, { key: 'location', value: 'weights.bin' }),
      create(StringStringEntryProtoSchema, { key: 'offset', value: '16' }),
      create(StringStringEntryProtoSchema, { key: 'length', value: '24' }),
    ],
  });
  const b = rawTensor('b', 7, [3], new BigInt64Array([1n, -2n, 9007199254740993n]));
  const f = create(TensorProtoSchema, { name: 'f', dataType: 1, dims: [2, 2].map(BigInt), floatData: [0.5, 1.5, 2.5, 3.5] });
  const h = create(TensorProtoSchema, { name: 'h', dataType: 10, dims: [2n], int32Data: [0x3c00, 0xc000] });
  const s = create(TensorProtoSchema, { name: 's', dataType: 8, dims: [2n], stringData: [new TextEncoder().encode('héllo'), new Uint8Array([0xff, 0x00])] });
  const branch = (out: string) =>
    create(GraphProtoSchema, { name: `branch_${out}`, node: [node('Identity', ['y'], [out]), node('Identity', [out], [`${out}_2`])], output: [vi(`${out}_2`, 1, [2, 2])] });
  const nodes = [
    node('Gemm', ['x', 'w', 'f'], ['y'], 'gemm', [attr({ name: 'alpha', type: 1, f: 0.1 }), attr({ name: 'transB', type: 2, i: 1n })]),
    node('Constant', [], ['k'], '', [attr({ name: 'value', type: 4, t: rawTensor('', 1, [], new Float32Array([2.5])) })]),
    node('Mul', ['y', 'k'], ['z']),
    node('Reshape', ['z', 'b'], ['r'], 'reshape', [attr({ name: 'allowzero', type: 2, i: 0n })]),
    node('Pad', ['r'], ['p'], 'pad', [
      attr({ name: 'pads', type: 7, ints: Array.from({ length: 40 }, (_, i) => BigInt(i)) }),
      attr({ name: 'mode', type: 3, s: new TextEncoder().encode('reflect') }),
      attr({ name: 'scales', type: 6, floats: [0.25, 1 / 3] }),
      attr({ name: 'names', type: 8, strings: [new TextEncoder().encode('a')] }),
    ]),
    node('If', ['cond'], ['o'], 'branchy', [attr({ name: 'then_branch', type: 5, g: branch('t') }), attr({ name: 'else_branch', type: 5, g: branch('e') })]),
    node('MyOp', ['o', 'h', 's'], ['out'], 'custom', []),
  ];
  nodes[6]!.domain = 'com.example';
  const onnx = model({
    nodes,
    initializers: [w, b, f, h, s],
    inputs: [vi('x', 1, ['batch', 2]), vi('cond', 9, []), vi('f', 1, [2, 2])],
    outputs: [vi('out', 1, ['batch', 3])],
    valueInfo: [vi('y', 1, ['batch', 3])],
  });
  return { onnx, weights };
}

/** A chain of `n` unnamed Relu nodes, each with a small raw FP32 bias added every tenth node. */
export function chainModel(n: number): Uint8Array {
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let prev = 'x';
  for (let i = 0; i < n; i++) {
    const out = `t${i}`;
    if (i % 10 === 9) {
      inits.push(rawTensor(`bias${i}`, 1, [8], new Float32Array(8).fill(i)));
      nodes.push(node('Add', [prev, `bias${i}`], [out], `add/${i}`));
    } else nodes.push(node('Relu', [prev], [out]));
    prev = out;
  }
  return model({ nodes, initializers: inits, inputs: [vi('x', 1, ['n', 8])], outputs: [vi(prev, 1, ['n', 8])] });
}

/** Constants over 4 KiB: one in raw_data, one in float_data (the scanner walks those instead of decoding them). */
export function bigConstantModel(): Uint8Array {
  const values = Float32Array.from({ length: 2000 }, (_, i) => i / 7);
  return model({
    nodes: [
      node('Constant', [], ['c_raw'], 'raw_const', [attr({ name: 'value', type: 4, t: rawTensor('', 1, [2000], values) })]),
      node('Constant', [], ['c_typed'], 'typed_const', [attr({ name: 'value', type: 4, t: create(TensorProtoSchema, { dataType: 1, dims: [2000n], floatData: Array.from(values) }) })]),
      node('Add', ['c_raw', 'c_typed'], ['y'], 'add'),
    ],
    inputs: [],
    outputs: [vi('y', 1, [2000])],
  });
}
