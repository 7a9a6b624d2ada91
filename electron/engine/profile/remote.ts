/**
 * The profiler's target over a remote server: a `TritonConnection` (HTTP or gRPC, helper clients in
 * `server/remote/`), the request tensors built once before the measurement (and encoded once where
 * the connection offers `prepareInfer`, as HTTP's does), and the model's cumulative statistics read
 * from Triton's statistics JSON (`/v2/models/<m>/stats`, gRPC's converted to that shape), summed
 * over the versions it lists, as perf_analyzer reads them.
 */
import { LabError } from '../errors';
import type { RemoteInferResult, TritonConnection } from '../remote/types';
import { isApiDType, type Tensor } from '../tensor/tensor';
import type { InputSpec } from './inputs';
import { isLocalHost } from './machine';
import { ZERO_STATS } from './stats';
import type { ProfileTarget, RequestTimes, ServerStats, TargetDescription } from './types';

interface DurationJson {
  count?: number | string;
  ns?: number | string;
}

export interface StatsJson {
  inference_count?: number | string;
  execution_count?: number | string;
  inference_stats?: Partial<Record<string, DurationJson | undefined>>;
}

const num = (v: number | string | undefined): number => {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
};

/** Triton's statistics JSON (one model_stats entry per version) as the profiler's cumulative figures. */
export function statsFromJson(entries: StatsJson[]): ServerStats {
  const out = { ...ZERO_STATS };
  for (const e of entries) {
    const s = e.inference_stats;
    const add = (count: 'successCount' | 'queueCount' | 'computeInputCount' | 'computeInferCount' | 'computeOutputCount', d: DurationJson | undefined): void => {
      out[count] += num(d?.count);
      out[count.replace('Count', 'Ns') as 'successNs'] += num(d?.ns);
    };
    add('successCount', s?.['success']);
    add('queueCount', s?.['queue']);
    add('computeInputCount', s?.['compute_input']);
    add('computeInferCount', s?.['compute_infer']);
    add('computeOutputCount', s?.['compute_output']);
    out.inferenceCount += num(e.inference_count);
    out.executionCount += num(e.execution_count);
  }
  return out;
}

export interface ConfigJson {
  max_batch_size?: number;
  input?: { name: string; data_type: string; dims?: (number | string)[] }[];
}

/** The inputs from Triton's config JSON (data_type TYPE_FP32 …, TYPE_STRING for BYTES). */
export function inputSpecsFromConfig(config: ConfigJson): InputSpec[] {
  if (!Array.isArray(config.input)) throw new LabError('INVALID_ARG', "the model's config lists no inputs");
  return config.input.map((i) => {
    const dtype = i.data_type === 'TYPE_STRING' ? 'BYTES' : String(i.data_type).replace(/^TYPE_/, '');
    if (!isApiDType(dtype)) throw new LabError('UNSUPPORTED', `input '${i.name}' has data type ${i.data_type}, which the profiler cannot generate`);
    return { name: i.name, dtype, dims: (i.dims ?? []).map(Number), batched: num(config.max_batch_size) > 0 };
  });
}

/** The host of a server URL (any scheme), without IPv6 brackets; '' when it does not parse. */
export function urlHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

export class RemoteTarget implements ProfileTarget {
  private next = 0;
  readonly network = true;
  /** The requests encoded once, where the connection can (HTTP): the loop then measures the server and the wire, not our encoder. */
  private readonly prepared: { send(signal?: AbortSignal): Promise<RemoteInferResult> }[] | undefined;

  constructor(
    private readonly conn: TritonConnection,
    private readonly url: string,
    private readonly model: string,
    /** '' for the server's policy (the latest ready version). */
    private readonly version: string,
    private readonly requests: Tensor[][],
  ) {
    if (requests.length === 0) throw new LabError('INVALID_ARG', 'no request data');
    const prepare = conn.prepareInfer?.bind(conn);
    this.prepared = prepare ? requests.map((inputs) => prepare(model, version, { inputs })) : undefined;
  }

  /** The model's inputs from the server's config JSON. */
  static async inputs(conn: TritonConnection, model: string, version?: string): Promise<InputSpec[]> {
    return inputSpecsFromConfig((await conn.modelConfig(model, version)) as ConfigJson);
  }

  async infer(): Promise<RequestTimes> {
    const i = this.next++ % this.requests.length;
    const r = this.prepared ? await this.prepared[i]!.send() : await this.conn.infer(this.model, this.version, { inputs: this.requests[i]! });
    return { sendNs: r.sendNs, recvNs: r.recvNs };
  }

  async statistics(): Promise<ServerStats> {
    const r = await this.conn.statistics(this.model, this.version || undefined);
    if (!Array.isArray(r.model_stats)) throw new LabError('UNAVAILABLE', `${this.url}: the statistics have no model_stats: is this a Triton server?`, { reason: 'REMOTE_PROTOCOL' });
    return statsFromJson(r.model_stats as StatsJson[]);
  }

  describe(): TargetDescription {
    return { kind: this.conn.protocol, address: this.url, sameHost: isLocalHost(urlHost(this.url)) };
  }
}
