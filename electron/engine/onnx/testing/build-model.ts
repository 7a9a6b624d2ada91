/**
 * Builds small, valid ONNX models for tests and fixtures: typed graph inputs
 * and outputs (numeric, symbolic or unknown dims) wired by simple nodes.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from 'onnx-buf';

export type Dim = number | string | null;

export interface TensorSpec {
  name: string;
  /** ONNX element type: 1 FLOAT, 2 UINT8, 6 INT32, 7 INT64, 8 STRING, 9 BOOL, ... */
  type: number;
  /** Omit for an unknown rank. */
  dims?: Dim[];
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
}

export interface ModelSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Defaults to one Identity node per output, fed by the input at the same index. */
  nodes?: NodeSpec[];
  /** Float initializers; listing one in `inputs` too makes it overridable. */
  initializers?: { name: string; dims: number[]; values: number[] }[];
  irVersion?: number;
  opset?: number;
  producer?: string;
}

function valueInfo(t: TensorSpec) {
  return create(ValueInfoProtoSchema, {
    name: t.name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: t.type,
          ...(t.dims
            ? {
                shape: create(TensorShapeProtoSchema, {
                  dim: t.dims.map((d) =>
                    create(TensorShapeProto_DimensionSchema, {
                      value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : typeof d === 'string' ? { case: 'dimParam', value: d } : { case: undefined },
                    }),
                  ),
                }),
              }
            : {}),
        }),
      },
    }),
  });
}

export function buildOnnxModel(spec: ModelSpec): Uint8Array {
  const nodes: NodeSpec[] = spec.nodes ?? spec.outputs.map((o, i) => ({ op: 'Identity', inputs: [spec.inputs[Math.min(i, spec.inputs.length - 1)]!.name], outputs: [o.name] }));
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(spec.irVersion ?? 8),
    producerName: spec.producer ?? 'model-lab-tests',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(spec.opset ?? 13) })],
    graph: create(GraphProtoSchema, {
      name: 'graph',
      node: nodes.map((n, i) => create(NodeProtoSchema, { opType: n.op, input: n.inputs, output: n.outputs, name: n.name ?? `${n.op}_${i}` })),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.initializers ?? []).map((t) => create(TensorProtoSchema, { name: t.name, dims: t.dims.map(BigInt), dataType: 1, floatData: t.values })),
    }),
  });
  return toBinary(ModelProtoSchema, model);
}
