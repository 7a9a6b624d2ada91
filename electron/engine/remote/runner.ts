/**
 * A remote model version as a Runner, so the playground's RunService runs it through the same path
 * as a local one (its forms built from the config, its tensors kept in the same history for every
 * viewer): infer goes over the server's binary tensor protocol. Statistics are the server's, read
 * through modelStats; this runner's own stay empty (the server counts its requests itself).
 */
import type { ModelConfig } from '../config/gen/model_config_pb';
import { ModelStatistics } from '../runtime/stats';
import { LabError } from '../errors';
import type { InferRequest, InferResult, Parameters, Runner, SequenceFlags } from '../runtime/types';
import type { TritonConnection } from './types';

export class RemoteRunner implements Runner {
  readonly statistics = new ModelStatistics();

  constructor(
    private readonly conn: TritonConnection,
    readonly modelName: string,
    /** -1: the version the server picks (its version policy). */
    readonly version: number,
    readonly config: ModelConfig,
  ) {}

  async infer(req: InferRequest): Promise<InferResult> {
    const parameters = { ...req.parameters, ...(req.sequence ? sequenceParameters(req.sequence) : {}) };
    const res = await this.conn.infer(this.modelName, this.version >= 0 ? String(this.version) : '', {
      ...(req.id !== undefined ? { id: req.id } : {}),
      inputs: req.inputs,
      ...(req.outputs && req.outputs.length ? { outputs: req.outputs } : {}),
      ...(Object.keys(parameters).length ? { parameters } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const v = Number(res.modelVersion);
    const result: InferResult = { modelName: this.modelName, modelVersion: Number.isSafeInteger(v) ? v : this.version, id: req.id ?? '', outputs: res.outputs };
    if (res.parameters && Object.keys(res.parameters).length) result.parameters = res.parameters;
    req.onResponse?.(result, true);
    return result;
  }

  async close(): Promise<void> {
    /* the connection belongs to the server entry, not to one model */
  }
}

/** A run's sequence flags as Triton's clients send them: the sequence_id/start/end request parameters. */
export function sequenceParameters(seq: SequenceFlags): Parameters {
  let id: string | number = typeof seq.id === 'string' ? seq.id : Number(seq.id);
  if (typeof seq.id === 'bigint' && !Number.isSafeInteger(id))
    throw new LabError('INVALID_ARG', `sequence id ${seq.id} is above 2^53 and cannot be sent to a remote server; use a smaller id or a string id`);
  if (typeof id === 'number' && id < 0) id = 0;
  return { sequence_id: id, sequence_start: seq.start, sequence_end: seq.end };
}
