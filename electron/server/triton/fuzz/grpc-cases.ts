/**
 * Generated malformed gRPC messages for GRPCInferenceService: bytes that no
 * protobuf decoder can accept (truncated fields, impossible wire types), and
 * well-formed ModelInferRequest / model-control / settings messages with one
 * thing wrong. Every case is built to be refused.
 */
import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import {
  type InferParameter,
  InferParameterSchema,
  type LogSettingsRequest_SettingValue,
  LogSettingsRequestSchema,
  ModelInferRequestSchema,
  type ModelRepositoryParameter,
  ModelRepositoryParameterSchema,
  RepositoryModelLoadRequestSchema,
  RepositoryModelUnloadRequestSchema,
  SystemSharedMemoryRegisterRequestSchema,
  TraceSettingRequestSchema,
} from '../grpc/gen/grpc_service_pb';
import type { Rng } from '../../../engine/testing/rng';

export interface GrpcCase {
  kind: string;
  label: string;
  /** The RPC's proto name (ModelInfer, ...). */
  method: string;
  /** One message for unary RPCs; several for ModelStreamInfer. */
  messages: Buffer[];
}

const UNARY = [
  'ServerLive',
  'ServerReady',
  'ModelReady',
  'ServerMetadata',
  'ModelMetadata',
  'ModelInfer',
  'ModelConfig',
  'ModelStatistics',
  'RepositoryIndex',
  'RepositoryModelLoad',
  'RepositoryModelUnload',
  'TraceSetting',
  'LogSettings',
];

const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

type Param = InferParameter['parameterChoice'];
type RepoParam = ModelRepositoryParameter['parameterChoice'];
type LogChoice = LogSettingsRequest_SettingValue['parameterChoice'];
const param = (choice: Param): InferParameter => create(InferParameterSchema, { parameterChoice: choice });

interface InputInit {
  name: string;
  datatype: string;
  shape: bigint[];
  contents?: { fp32Contents?: number[]; intContents?: number[] };
  parameters?: Record<string, InferParameter>;
}
interface InferInit {
  modelName: string;
  modelVersion?: string;
  id: string;
  inputs: InputInit[];
  outputs?: { name: string; parameters?: Record<string, InferParameter> }[];
  rawInputContents: Uint8Array[];
  parameters?: Record<string, InferParameter>;
}

/** A well-formed FP32 request for `batching` ([1, n]), as the mutations' starting point. */
function validInfer(n: number): InferInit {
  return {
    modelName: 'batching',
    id: 'fuzz',
    inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1n, BigInt(n)] }],
    rawInputContents: [new Uint8Array(4 * n)],
  };
}

export class GrpcCaseBuilder {
  constructor(private readonly rng: Rng) {}

  /** Bytes no decoder accepts, behind a few valid-looking bytes. */
  undecodable(): GrpcCase {
    const r = this.rng;
    const prefix = r.chance(0.5) ? Buffer.from([0x0a, 0x02, 0x61, 0x62]) : Buffer.alloc(0);
    const variants: [string, () => Buffer][] = [
      ['length past the end', () => Buffer.from([0x0a, r.int(10, 120), 0x61, 0x62, 0x63])],
      ['impossible wire type', () => Buffer.from([(r.int(1, 15) << 3) | r.pick([6, 7]), 0x01])],
      ['truncated varint', () => Buffer.from([0x08, 0xff, 0xff, 0xff])],
      ['field number zero', () => Buffer.from([r.pick([0x00, 0x02, 0x05]), 0x01, 0x02])],
      ['group never closed', () => Buffer.from([0x0b, 0x08, 0x01])],
    ];
    const [label, make] = r.pick(variants);
    const method = r.pick(UNARY);
    return { kind: 'undecodable', label: `${method}: ${label}`, method, messages: [Buffer.concat([prefix, make()])] };
  }

  /** A ModelInferRequest with one thing wrong. */
  infer(): GrpcCase {
    const r = this.rng;
    const n = r.int(1, 4);
    const base = validInfer(n);
    const input = base.inputs[0]!;
    const breaks: [string, () => InferInit][] = [
      ['unknown model', () => ({ ...base, modelName: `no_such_${r.int(0, 999)}` })],
      ['bad version', () => ({ ...base, modelVersion: r.pick(['abc', '7', '-1', '1.5']) })],
      ['no inputs', () => ({ ...base, inputs: [], rawInputContents: [] })],
      ['unknown input', () => ({ ...base, inputs: [{ ...input, name: r.pick(['NOPE', '', 'INPUT0 ']) }] })],
      ['unknown datatype', () => ({ ...base, inputs: [{ ...input, datatype: r.pick(['FP128', '', 'fp32', 'TYPE_FP32']) }] })],
      ['mismatched datatype', () => ({ ...base, inputs: [{ ...input, datatype: r.pick(['INT64', 'FP16', 'BYTES', 'BOOL']) }] })],
      ['shape does not match the data', () => ({ ...base, inputs: [{ ...input, shape: [1n, BigInt(n + r.int(1, 9))] }] })],
      ['negative shape', () => ({ ...base, inputs: [{ ...input, shape: [1n, BigInt(-r.int(1, 9))] }] })],
      ['huge shape', () => ({ ...base, inputs: [{ ...input, shape: [1n, r.pick([2n ** 40n, 2n ** 62n, 9223372036854775807n])] }] })],
      ['wrong rank', () => ({ ...base, inputs: [{ ...input, shape: [1n, 1n, 1n, BigInt(n)] }] })],
      ['raw contents missing', () => ({ ...base, rawInputContents: [] })],
      ['raw contents of the wrong size', () => ({ ...base, rawInputContents: [new Uint8Array(4 * n + r.int(1, 3))] })],
      ['raw and typed contents', () => ({ ...base, inputs: [{ ...input, contents: { fp32Contents: Array.from({ length: n }, () => 1) } }] })],
      ['typed contents of the wrong type', () => ({ ...base, rawInputContents: [], inputs: [{ ...input, contents: { intContents: Array.from({ length: n }, () => 1) } }] })],
      [
        'shared memory region',
        () => ({
          ...base,
          rawInputContents: [],
          inputs: [{ ...input, parameters: { shared_memory_region: param({ case: 'stringParam', value: 'r0' }), shared_memory_byte_size: param({ case: 'int64Param', value: 16n }) } }],
        }),
      ],
      ['shared memory offset alone', () => ({ ...base, inputs: [{ ...input, parameters: { shared_memory_offset: param({ case: 'int64Param', value: 0n }) } }] })],
      ['unknown output', () => ({ ...base, outputs: [{ name: r.pick(['NOPE', '', 'OUTPUT0 ']) }] })],
      [
        'bad classification',
        () => ({
          ...base,
          outputs: [
            {
              name: 'OUTPUT0',
              parameters: {
                classification: param(
                  r.pick<Param>([
                    { case: 'stringParam', value: '2' },
                    { case: 'boolParam', value: true },
                    { case: 'int64Param', value: -3n },
                  ]),
                ),
              },
            },
          ],
        }),
      ],
      [
        'bad priority',
        () => ({
          ...base,
          parameters: {
            priority: param(
              r.pick<Param>([
                { case: 'stringParam', value: 'high' },
                { case: 'int64Param', value: -1n },
                { case: 'boolParam', value: true },
              ]),
            ),
          },
        }),
      ],
      [
        'bad timeout',
        () => ({
          ...base,
          parameters: {
            timeout: param(
              r.pick<Param>([
                { case: 'stringParam', value: '5' },
                { case: 'boolParam', value: false },
              ]),
            ),
          },
        }),
      ],
      ['bad sequence flag', () => ({ ...base, parameters: { [r.pick(['sequence_start', 'sequence_end'])]: param({ case: 'stringParam', value: 'yes' }) } })],
      ['reserved parameter', () => ({ ...base, parameters: { [`triton_${r.pick(['x', 'enable', 'final_response'])}`]: param({ case: 'boolParam', value: true }) } })],
    ];
    const [label, make] = r.pick(breaks);
    return {
      kind: 'infer',
      label,
      method: 'ModelInfer',
      messages: [buf(toBinary(ModelInferRequestSchema, create(ModelInferRequestSchema, make() as MessageInitShape<typeof ModelInferRequestSchema>)))],
    };
  }

  /** A stream of bad requests; the test adds a good one at the end and checks it still works. */
  stream(): GrpcCase {
    const messages: Buffer[] = [];
    for (let i = this.rng.int(1, 5); i > 0; i--) {
      const c = this.rng.chance(0.8) ? this.infer() : this.undecodableInfer();
      messages.push(...c.messages);
    }
    return { kind: 'stream', label: `${messages.length} bad requests`, method: 'ModelStreamInfer', messages };
  }

  private undecodableInfer(): GrpcCase {
    return { ...this.undecodable(), method: 'ModelInfer' };
  }

  /** Model control and settings that must be refused (the fixture serves in explicit mode). */
  control(): GrpcCase {
    const r = this.rng;
    const mp = (choice: RepoParam): ModelRepositoryParameter => create(ModelRepositoryParameterSchema, { parameterChoice: choice });
    const config = JSON.stringify({
      name: 'batching',
      backend: 'identity',
      max_batch_size: 8,
      input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
      output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
    });
    const load = (modelName: string, parameters: Record<string, ModelRepositoryParameter>): Buffer[] => [
      buf(toBinary(RepositoryModelLoadRequestSchema, create(RepositoryModelLoadRequestSchema, { modelName, parameters }))),
    ];
    const variants: [string, string, () => Buffer[]][] = [
      ['load: unknown model', 'RepositoryModelLoad', () => load(`no_such_${r.int(0, 999)}`, {})],
      ['load: traversal in the name', 'RepositoryModelLoad', () => load(r.pick(['..', '../x', 'a/b', ' ']), {})],
      ['load: config not a string', 'RepositoryModelLoad', () => load('batching', { config: mp({ case: 'boolParam', value: true }) })],
      ['load: config not JSON', 'RepositoryModelLoad', () => load('batching', { config: mp({ case: 'stringParam', value: r.pick(['{', 'name: "x"', '']) }) })],
      ['load: file not bytes', 'RepositoryModelLoad', () => load('batching', { config: mp({ case: 'stringParam', value: config }), 'file:1/x': mp({ case: 'stringParam', value: 'x' }) })],
      ['load: file without config', 'RepositoryModelLoad', () => load('batching', { 'file:1/model.py': mp({ case: 'bytesParam', value: new TextEncoder().encode('print(1)') }) })],
      [
        'load: file path escapes',
        'RepositoryModelLoad',
        () => load('batching', { config: mp({ case: 'stringParam', value: config }), [`file:${r.pick(['../../x', '/etc/x', '1/../../x'])}`]: mp({ case: 'bytesParam', value: new Uint8Array([1]) }) }),
      ],
      [
        'load: model file outside the model folder',
        'RepositoryModelLoad',
        () => load('batching', { config: mp({ case: 'stringParam', value: JSON.stringify({ ...JSON.parse(config), default_model_filename: r.pick(['../../../etc/passwd', '/etc/passwd']) }) }) }),
      ],
      ['load: unknown parameter', 'RepositoryModelLoad', () => load('batching', { [r.pick(['configx', 'files', 'FILE:1/x'])]: mp({ case: 'stringParam', value: 'x' }) })],
      [
        'unload: unknown model',
        'RepositoryModelUnload',
        () => [buf(toBinary(RepositoryModelUnloadRequestSchema, create(RepositoryModelUnloadRequestSchema, { modelName: `no_such_${r.int(0, 999)}` })))],
      ],
      [
        'unload: bad unload_dependents',
        'RepositoryModelUnload',
        () => [
          buf(
            toBinary(
              RepositoryModelUnloadRequestSchema,
              create(RepositoryModelUnloadRequestSchema, { modelName: 'no_such', parameters: { unload_dependents: mp({ case: 'stringParam', value: 'yes' }) } }),
            ),
          ),
        ],
      ],
      [
        'trace: bad value',
        'TraceSetting',
        () => [
          buf(
            toBinary(
              TraceSettingRequestSchema,
              create(TraceSettingRequestSchema, { settings: { [r.pick(['trace_rate', 'trace_count', 'log_frequency'])]: { value: [r.pick(['abc', '-9', '99999999999'])] } } }),
            ),
          ),
        ],
      ],
      ['trace: two values', 'TraceSetting', () => [buf(toBinary(TraceSettingRequestSchema, create(TraceSettingRequestSchema, { settings: { trace_rate: { value: ['1', '2'] } } })))]],
      ['trace: set the file', 'TraceSetting', () => [buf(toBinary(TraceSettingRequestSchema, create(TraceSettingRequestSchema, { settings: { trace_file: { value: ['/tmp/x'] } } })))]],
      ['trace: unknown model', 'TraceSetting', () => [buf(toBinary(TraceSettingRequestSchema, create(TraceSettingRequestSchema, { modelName: 'no_such' })))]],
      [
        'logging: wrong type',
        'LogSettings',
        () => {
          const [key, wrong] = r.pick<[string, LogChoice]>([
            ['log_info', { case: 'uint32Param', value: 3 }],
            ['log_verbose_level', { case: 'boolParam', value: true }],
            ['log_format', { case: 'uint32Param', value: 1 }],
            ['log_format', { case: 'stringParam', value: 'xml' }],
          ]);
          return [buf(toBinary(LogSettingsRequestSchema, create(LogSettingsRequestSchema, { settings: { [key]: { parameterChoice: wrong } } })))];
        },
      ],
      [
        'logging: set the file',
        'LogSettings',
        () => [buf(toBinary(LogSettingsRequestSchema, create(LogSettingsRequestSchema, { settings: { log_file: { parameterChoice: { case: 'stringParam', value: '/tmp/x' } } } })))],
      ],
      [
        'shared memory registration',
        'SystemSharedMemoryRegister',
        () => [buf(toBinary(SystemSharedMemoryRegisterRequestSchema, create(SystemSharedMemoryRegisterRequestSchema, { name: 'r0', key: '/x', byteSize: 16n })))],
      ],
    ];
    const [label, method, make] = r.pick(variants);
    return { kind: 'control', label, method, messages: make() };
  }

  next(): GrpcCase {
    const w = this.rng.next();
    if (w < 0.25) return this.undecodable();
    if (w < 0.65) return this.infer();
    if (w < 0.8) return this.stream();
    return this.control();
  }
}
