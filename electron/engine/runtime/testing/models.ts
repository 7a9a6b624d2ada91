/**
 * Small builders for runtime tests: config.pbtxt text for script, identity,
 * ONNX and ensemble models, request tensors, and a helper that awaits a
 * rejection and hands back the LabError.
 */
import { LabError } from '../../errors';
import { buildOnnxModel } from '../../onnx/testing/build-model';
import type { ApiDType } from '../../tensor/dtype';
import { bytesFromStrings, type Tensor, type TensorData } from '../../tensor/tensor';

/** One config input or output: name, config type (without TYPE_), dims, and any extra fields. */
export interface Io {
  name: string;
  type?: string;
  dims?: number[];
  extra?: string;
}

function ioText(io: Io): string {
  return `{ name: "${io.name}" data_type: TYPE_${io.type ?? 'FP32'} dims: [ ${(io.dims ?? [-1]).join(', ')} ]${io.extra ? ` ${io.extra}` : ''} }`;
}

export interface ModelOpts {
  backend?: string;
  platform?: string;
  mbs?: number;
  inputs: Io[];
  outputs: Io[];
  /** Config parameters (string_value). */
  params?: Record<string, string>;
  /** Instances in one KIND_CPU group. */
  count?: number;
  /** Adds `dynamic_batching { }`. */
  dynamic?: boolean;
  /** Appended verbatim. */
  extra?: string;
}

export function modelConfig(name: string, o: ModelOpts): string {
  const lines = [`name: "${name}"`];
  if (o.backend) lines.push(`backend: "${o.backend}"`);
  if (o.platform) lines.push(`platform: "${o.platform}"`);
  lines.push(`max_batch_size: ${o.mbs ?? 0}`);
  lines.push(`input [ ${o.inputs.map(ioText).join(', ')} ]`);
  lines.push(`output [ ${o.outputs.map(ioText).join(', ')} ]`);
  for (const [k, v] of Object.entries(o.params ?? {})) lines.push(`parameters { key: "${k}" value { string_value: "${v}" } }`);
  if (o.count !== undefined) lines.push(`instance_group [ { kind: KIND_CPU count: ${o.count} } ]`);
  if (o.dynamic) lines.push('dynamic_batching { }');
  if (o.extra) lines.push(o.extra);
  return lines.join('\n') + '\n';
}

/** Identity models (INPUT0 → OUTPUT0, FP32 [-1], max_batch_size 8) under these names, each with an empty version 1. */
export function identityModels(...names: string[]): Record<string, string | null> {
  return Object.fromEntries(
    names.flatMap((n) => [
      [`${n}/config.pbtxt`, modelConfig(n, { backend: 'identity', mbs: 8, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] })],
      [`${n}/1`, null],
    ]),
  );
}

export function scriptConfig(name: string, o: Omit<ModelOpts, 'backend'>): string {
  return modelConfig(name, { ...o, backend: 'script' });
}

export interface Step {
  model: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  version?: number;
}

export function ensembleConfig(name: string, o: Omit<ModelOpts, 'backend' | 'platform'> & { steps: Step[] }): string {
  const steps = o.steps
    .map((s) => {
      const ins = Object.entries(s.inputs)
        .map(([k, v]) => `input_map { key: "${k}" value: "${v}" }`)
        .join(' ');
      const outs = Object.entries(s.outputs)
        .map(([k, v]) => `output_map { key: "${k}" value: "${v}" }`)
        .join(' ');
      return `  step { model_name: "${s.model}" model_version: ${s.version ?? -1} ${ins} ${outs} }`;
    })
    .join('\n');
  return modelConfig(name, { ...o, platform: 'ensemble', extra: `ensemble_scheduling {\n${steps}\n}` });
}

/**
 * A script model.js: `body` is the statement list of a function (request, index, requests) that
 * returns the response for one request; `pb_utils` is in scope.
 */
export function scriptModel(body: string, extra = ''): string {
  return `${extra}
export default class TritonPythonModel {
  async execute(requests) {
    const out = [];
    for (let i = 0; i < requests.length; i++) out.push(await this.one(requests[i], i, requests));
    return out;
  }
  async one(request, index, requests) {
${body}
  }
}
`;
}

/** A script model whose every output OUT<k> copies input IN<k> (or each output named by `pairs`). */
export function echoModel(pairs: Record<string, string> = { OUT: 'IN' }, extra = ''): string {
  return scriptModel(
    `    const pairs = ${JSON.stringify(pairs)};
    return new pb_utils.InferenceResponse({
      output_tensors: Object.entries(pairs).map(([o, i]) => {
        const t = pb_utils.get_input_tensor_by_name(request, i);
        return new pb_utils.Tensor(o, t.data, t.shape, t.dtype);
      }),
    });`,
    extra,
  );
}

export function tensor(name: string, dtype: ApiDType, shape: number[], data: TensorData): Tensor {
  return { name, dtype, shape, data };
}

export function f32(name: string, shape: number[], values: number[]): Tensor {
  return tensor(name, 'FP32', shape, Float32Array.from(values));
}

export function text(name: string, shape: number[], values: string[]): Tensor {
  return tensor(name, 'BYTES', shape, bytesFromStrings(values));
}

/** Awaits a promise that must reject with a LabError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<LabError> {
  let result: unknown;
  try {
    result = await p;
  } catch (err) {
    if (!(err instanceof LabError)) throw new Error(`expected a LabError, got ${String(err)}`, { cause: err });
    return err;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
}

export function values(t: Tensor | undefined): number[] {
  if (!t) throw new Error('no tensor');
  if (Array.isArray(t.data)) throw new Error(`tensor ${t.name} is BYTES`);
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** An ONNX model: SUM = A + B, FP32 [batch, 3]. */
export const ADD_ONNX = buildOnnxModel({
  inputs: [
    { name: 'A', type: 1, dims: ['batch', 3] },
    { name: 'B', type: 1, dims: ['batch', 3] },
  ],
  outputs: [{ name: 'SUM', type: 1, dims: ['batch', 3] }],
  nodes: [{ op: 'Add', inputs: ['A', 'B'], outputs: ['SUM'] }],
});

/** The repository entry 'add': ADD_ONNX on ONNX Runtime, max_batch_size 8, one instance. */
export function addModel(): Record<string, Uint8Array | string> {
  return {
    'add/config.pbtxt': modelConfig('add', {
      backend: 'onnxruntime',
      mbs: 8,
      count: 1,
      inputs: [
        { name: 'A', dims: [3] },
        { name: 'B', dims: [3] },
      ],
      outputs: [{ name: 'SUM', dims: [3] }],
    }),
    'add/1/model.onnx': ADD_ONNX,
  };
}

/** What BLS tests call: 'add', 'ident' (identity, [3]) and 'ens' (ident, then add: OUT = IN + IN). */
export function blsTargets(): Record<string, Uint8Array | string | null> {
  return {
    ...addModel(),
    'ident/config.pbtxt': modelConfig('ident', { backend: 'identity', mbs: 8, inputs: [{ name: 'INPUT0', dims: [3] }], outputs: [{ name: 'OUTPUT0', dims: [3] }] }),
    'ident/1': null,
    'ens/config.pbtxt': ensembleConfig('ens', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [3] }],
      outputs: [{ name: 'OUT', dims: [3] }],
      steps: [
        { model: 'ident', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'mid' } },
        { model: 'add', inputs: { A: 'mid', B: 'IN' }, outputs: { SUM: 'OUT' } },
      ],
    }),
    'ens/1': null,
  };
}
