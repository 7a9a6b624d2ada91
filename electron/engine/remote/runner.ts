/**
 * A remote model version as a Runner, so the playground's RunService runs it through the same path
 * as a local one (its forms built from the config, its tensors kept in the same history for every
 * viewer): infer goes over the server's binary tensor protocol. Statistics are the server's, read
 * through modelStats; this runner's own stay empty (the server counts its requests itself).
 */
import type { ModelConfig } from '../config/gen/model_config_pb';
import { ModelStatistics } from '../runtime/stats';
import type { InferRequest, InferResult, Runner } from '../runtime/types';
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
    const res = await this.conn.infer(this.modelName, this.version >= 0 ? String(this.version) : '', {
      ...(req.id !== undefined ? { id: req.id } : {}),
      inputs: req.inputs,
      ...(req.outputs && req.outputs.length ? { outputs: req.outputs } : {}),
      ...(req.parameters ? { parameters: req.parameters } : {}),
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
