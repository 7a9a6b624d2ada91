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

/**
 * A network that lives inside control flow, as exporters write data-dependent
 * models: main `pre` (Add x, w) → If `branch` (cond) → Softmax. then_branch:
 * MatMul with its own `w`, Add `b`, a Loop `repeat` (trip count from the main
 * graph) whose body runs a Scan `rows` over the rows (reading `gain` from
 * then_branch) and adds `xr` from the main graph; then a Sigmoid. else_branch:
 * Neg, Mul by its own `w`, a Constant, Tanh. Three scopes hold an initializer
 * named `w`. Valid for onnxruntime (opset 17).
 */
export function controlFlowModel(): Uint8Array {
  const f32 = (name: string, dims: number[], values: number[]): TensorProto => rawTensor(name, 1, dims, Float32Array.from(values));
  const scanBody = create(GraphProtoSchema, {
    name: 'scan_body',
    node: [node('Mul', ['row', 'gain'], ['row_scaled'], 'scale'), node('Relu', ['row_scaled'], ['row_out'], 'relu')],
    input: [vi('row', 1, [4])],
    output: [vi('row_out', 1, [4])],
  });
  const loopBody = create(GraphProtoSchema, {
    name: 'loop_body',
    node: [
      node('Identity', ['cond_in'], ['cond_out'], 'keep_going'),
      node('Scan', ['v_in'], ['scanned'], 'rows', [attr({ name: 'body', type: 5, g: scanBody }), attr({ name: 'num_scan_inputs', type: 2, i: 1n })]),
      node('Add', ['scanned', 'xr'], ['v_out'], 'residual'),
    ],
    input: [vi('iter', 7, []), vi('cond_in', 9, []), vi('v_in', 1, ['N', 4])],
    output: [vi('cond_out', 9, []), vi('v_out', 1, ['N', 4])],
  });
  const identity = Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const thenBranch = create(GraphProtoSchema, {
    name: 'then_body',
    node: [
      node('MatMul', ['xr', 'w'], ['t1'], 'project'),
      node('Add', ['t1', 'b'], ['t2'], 'bias'),
      node('Loop', ['trip', '', 't2'], ['looped'], 'repeat', [attr({ name: 'body', type: 5, g: loopBody })]),
      node('Sigmoid', ['looped'], ['then_out'], 'squash'),
    ],
    initializer: [f32('w', [4, 4], identity), f32('b', [4], [0.1, 0.2, 0.3, 0.4]), f32('gain', [4], [2, 2, 2, 2])],
    output: [vi('then_out', 1, ['N', 4])],
    valueInfo: [vi('t2', 1, ['N', 4])],
  });
  const elseBranch = create(GraphProtoSchema, {
    name: 'else_body',
    node: [
      node('Neg', ['xr'], ['e1'], 'negate'),
      node('Mul', ['e1', 'w'], ['e2'], 'weigh'),
      node('Constant', [], ['half'], '', [attr({ name: 'value', type: 4, t: f32('', [], [0.5]) })]),
      node('Mul', ['e2', 'half'], ['e3'], 'halve'),
      node('Tanh', ['e3'], ['else_out'], 'squash'),
    ],
    initializer: [f32('w', [4], [1, -1, 1, -1])],
    output: [vi('else_out', 1, ['N', 4])],
  });
  return model({
    nodes: [
      node('Add', ['x', 'w'], ['xr'], 'pre'),
      node('If', ['cond'], ['y'], 'branch', [attr({ name: 'then_branch', type: 5, g: thenBranch }), attr({ name: 'else_branch', type: 5, g: elseBranch })]),
      node('Softmax', ['y'], ['out'], '', [attr({ name: 'axis', type: 2, i: -1n })]),
    ],
    initializers: [f32('w', [4], [0, 1, 2, 3]), rawTensor('trip', 7, [], new BigInt64Array([2n]))],
    inputs: [vi('x', 1, ['N', 4]), vi('cond', 9, [])],
    outputs: [vi('out', 1, ['N', 4])],
  });
}

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
  out.push(n);
  return out;
}

/** A length-delimited field's tag and length, for a value of `length` bytes that follows. */
function head(no: number, length: number): number[] {
  return [...varint((no << 3) | 2), ...varint(length)];
}

function text(no: number, s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...head(no, b.length), ...b];
}

/**
 * `depth` If nodes, each inside the previous one's then_branch, encoded by hand
 * (the encoder would recurse once per level): a crafted model for the depth bound.
 */
export function nestedIfModel(depth: number): Uint8Array {
  // Each message ends with the nested one, so a level is a prefix: its fields, then the nested value's tag and length.
  const prefixes: number[][] = [];
  let inner = [...text(4, 'Identity'), ...text(1, 'c'), ...text(2, 'leaf')];
  inner = [...head(1, inner.length), ...inner]; // GraphProto.node
  let size = inner.length;
  for (let i = depth; i >= 1; i--) {
    const graphName = text(2, `g${i}`);
    const attrFields = [...text(1, 'then_branch'), 0xa0, 0x01, 5]; // name, type (field 20) = GRAPH
    const attrPrefix = [...attrFields, ...head(6, size)];
    const attrSize = attrPrefix.length + size;
    const nodeFields = [...text(4, 'If'), ...text(1, 'c'), ...text(2, `o${i}`)];
    const nodePrefix = [...nodeFields, ...head(5, attrSize)];
    const nodeSize = nodePrefix.length + attrSize;
    const graphPrefix = [...graphName, ...head(1, nodeSize)];
    size = graphPrefix.length + nodeSize;
    prefixes.push(attrPrefix, nodePrefix, graphPrefix);
  }
  const modelPrefix = [8, 8, ...head(7, size)]; // ir_version 8, then graph
  const opset = [...head(8, 2), 0x10, 17]; // opset_import { version: 17 }
  const parts = [modelPrefix, ...prefixes.reverse(), inner, opset];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
