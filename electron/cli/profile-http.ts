/**
 * The HTTP target of `model-lab profile -u <url>`: a `model-lab serve` instance or any Triton,
 * through the lab's Triton HTTP client (binary tensor data, keep-alive). Statistics come from
 * /v2/models/<m>/stats, summed over the versions it lists; the model's inputs from its config.
 * Client send and receive are the time to encode the request and to decode the response (the
 * socket time is in the response wait, which perf_analyzer's curl timing splits further).
 */
import { LabError } from '../engine/errors';
import type { InputSpec } from '../engine/profile/inputs';
import { isLocalHost } from '../engine/profile/machine';
import { ZERO_STATS } from '../engine/profile/stats';
import type { ProfileTarget, RequestTimes, ServerStats, TargetDescription } from '../engine/profile/types';
import { isApiDType, type Tensor } from '../engine/tensor/tensor';
import { TritonHttpClient } from '../server/triton/http/client';

interface DurationJson {
  count?: number | string;
  ns?: number | string;
}

interface StatsJson {
  inference_count?: number | string;
  execution_count?: number | string;
  inference_stats?: Record<'success' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output', DurationJson | undefined>;
}

const num = (v: number | string | undefined): number => Number(v ?? 0);

/** Triton's statistics JSON (one model_stats entry per version) as the profiler's cumulative figures. */
export function statsFromJson(entries: StatsJson[]): ServerStats {
  const out = { ...ZERO_STATS };
  for (const e of entries) {
    const s = e.inference_stats;
    const add = (count: 'successCount' | 'queueCount' | 'computeInputCount' | 'computeInferCount' | 'computeOutputCount', d: DurationJson | undefined): void => {
      out[count] += num(d?.count);
      out[count.replace('Count', 'Ns') as 'successNs'] += num(d?.ns);
    };
    add('successCount', s?.success);
    add('queueCount', s?.queue);
    add('computeInputCount', s?.compute_input);
    add('computeInferCount', s?.compute_infer);
    add('computeOutputCount', s?.compute_output);
    out.inferenceCount += num(e.inference_count);
    out.executionCount += num(e.execution_count);
  }
  return out;
}

interface ConfigJson {
  max_batch_size?: number;
  input?: { name: string; data_type: string; dims?: (number | string)[] }[];
}

/** The inputs from Triton's config JSON (data_type TYPE_FP32 …, TYPE_STRING for BYTES). */
export function inputSpecsFromConfig(config: ConfigJson): InputSpec[] {
  return (config.input ?? []).map((i) => {
    const dtype = i.data_type === 'TYPE_STRING' ? 'BYTES' : i.data_type.replace(/^TYPE_/, '');
    if (!isApiDType(dtype)) throw new LabError('UNSUPPORTED', `input '${i.name}' has data type ${i.data_type}, which the profiler cannot generate`);
    return { name: i.name, dtype, dims: (i.dims ?? []).map(Number), batched: (config.max_batch_size ?? 0) > 0 };
  });
}

export class HttpTarget implements ProfileTarget {
  private next = 0;
  private requests: Tensor[][] = [];

  constructor(
    private readonly client: TritonHttpClient,
    private readonly url: string,
    private readonly model: string,
    private readonly version: string | undefined,
  ) {}

  static async open(url: string, model: string, version: string | undefined, maxSockets: number): Promise<{ target: HttpTarget; inputs: InputSpec[] }> {
    const client = new TritonHttpClient(url, { maxSockets });
    try {
      const config = (await client.modelConfig(model, version)) as ConfigJson;
      return { target: new HttpTarget(client, url, model, version), inputs: inputSpecsFromConfig(config) };
    } catch (err) {
      client.close();
      throw new LabError('UNAVAILABLE', `${url}: cannot read model '${model}': ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  setRequests(requests: Tensor[][]): void {
    this.requests = requests;
  }

  async infer(): Promise<RequestTimes> {
    const inputs = this.requests[this.next++ % this.requests.length]!;
    const t0 = process.hrtime.bigint();
    const { body, headers } = TritonHttpClient.encodeInfer(inputs, this.version ? { version: this.version } : {});
    const sendNs = Number(process.hrtime.bigint() - t0);
    const path = `/v2/models/${encodeURIComponent(this.model)}${this.version ? `/versions/${this.version}` : ''}/infer`;
    const reply = await this.client.request('POST', path, body, headers);
    const t1 = process.hrtime.bigint();
    TritonHttpClient.decodeInfer(reply);
    return { sendNs, recvNs: Number(process.hrtime.bigint() - t1) };
  }

  async statistics(): Promise<ServerStats> {
    const r = await this.client.statistics(this.model, this.version);
    return statsFromJson(r.model_stats as StatsJson[]);
  }

  describe(): TargetDescription {
    return { kind: 'http', address: this.url, sameHost: isLocalHost(new URL(this.url).hostname) };
  }

  close(): void {
    this.client.close();
  }
}
