/**
 * What a Python stub asks the lab for besides inference: custom metrics
 * (pb_utils.MetricFamily / Metric, into the process's CustomMetrics registry
 * the metrics endpoint exports) and BLS model control (pb_utils.load_model,
 * unload_model, is_model_ready, through the resolver's ModelControl: a
 * server in explicit mode, Triton's errors otherwise).
 *
 * One `service` frame per call; the answer goes back as a `bls-result` frame
 * with the same (negative) call id, so the stub's inbox hands it to the
 * waiting thread as it does BLS answers. A call with id 0 gets no answer
 * (metric deletes, which the stub batches). The metrics a process created go
 * when it ends (unload, restart), as Triton's stub releases them.
 */
import { LabError, errorMessage } from '../../errors';
import { type CustomMetrics, type CustomMetricsClient, type MetricKind, type MetricOp, customMetrics } from '../../metrics/custom-metrics';
import type { ModelResolver } from '../../runtime/types';
import type { WireError } from '../child-supervisor';

export type ServiceRequest = { type: 'service'; callId: number } & (
  | { op: 'family-new'; name: string; description: string; kind: MetricKind }
  | { op: 'metric-new'; family: string; labels: string; buckets?: number[] }
  | { op: 'metric-delete'; ids: number[] }
  | { op: 'metric'; id: number; action: MetricOp; value: number }
  | { op: 'load'; model: string; config: string; files: { key: string; offset: number; nbytes: number }[] }
  | { op: 'unload'; model: string; unloadDependents: boolean }
  | { op: 'ready'; model: string; version: string }
);

/** The answer: on the stub's BLS answer path (type `bls-result`), keyed by the call id. */
export interface ServiceReply {
  type: 'bls-result';
  callId: number;
  error?: WireError;
  id?: number;
  value?: number;
  ready?: boolean;
}

type Answer = Omit<ServiceReply, 'type' | 'callId'>;

/** Triton's explicit-mode refusal, also what a model gets when no server offers model control. */
const NO_MODEL_CONTROL = 'explicit model load / unload is not allowed if polling is enabled';

/**
 * python_backend's GetModelVersionFromString: "" is -1, otherwise std::stol's reading (a leading
 * integer), refused when there is none or it is negative.
 */
export function modelVersionOf(text: string): number {
  if (text === '') return -1;
  const m = /^\s*([-+]?\d+)/.exec(text);
  if (!m) throw new LabError('INVALID_ARG', `failed to get model version from specified version string '${text}' (details: stol), version should be an integral value > 0`);
  const v = Number(m[1]);
  if (v < 0) throw new LabError('INVALID_ARG', `failed to get model version from specified version string '${text}', version should be an integral value > 0`);
  return v;
}

function parseLabels(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new LabError('INVALID_ARG', 'Failed to create metric. Labels must be a dictionary.');
  return parsed as Record<string, unknown>;
}

export class StubServices {
  private readonly metrics: CustomMetricsClient;

  constructor(
    private readonly resolver: ModelResolver,
    registry: CustomMetrics = customMetrics,
  ) {
    this.metrics = registry.client();
  }

  /** Answers one request; `send` gets the reply (none for id 0). Never throws. */
  async handle(msg: ServiceRequest, payload: Uint8Array, send: (reply: ServiceReply) => void): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.answer(msg, payload);
    } catch (err) {
      answer = { error: { code: err instanceof LabError ? err.code : 'INTERNAL', message: errorMessage(err) } };
    }
    if (msg.callId !== 0) send({ type: 'bls-result', callId: msg.callId, ...answer });
  }

  private async answer(msg: ServiceRequest, payload: Uint8Array): Promise<Answer> {
    switch (msg.op) {
      case 'family-new':
        this.metrics.registerFamily(msg.name, msg.description, msg.kind);
        return {};
      case 'metric-new':
        return { id: this.metrics.addMetric(msg.family, parseLabels(msg.labels), msg.buckets) };
      case 'metric-delete':
        for (const id of msg.ids) this.metrics.removeMetric(id);
        return {};
      case 'metric': {
        const value = this.metrics.apply(msg.id, msg.action, msg.value);
        return value === undefined ? {} : { value };
      }
      case 'load': {
        const files: Record<string, Uint8Array> = {};
        for (const f of msg.files) files[f.key] = payload.subarray(f.offset, f.offset + f.nbytes);
        await this.control().load(msg.model, msg.config, files);
        return {};
      }
      case 'unload':
        await this.control().unload(msg.model, msg.unloadDependents);
        return {};
      case 'ready':
        return { ready: this.isReady(msg.model, modelVersionOf(msg.version)) };
    }
  }

  private control(): NonNullable<ModelResolver['modelControl']> {
    const c = this.resolver.modelControl;
    if (!c) throw new LabError('UNAVAILABLE', NO_MODEL_CONTROL);
    return c;
  }

  /** TRITONSERVER_ServerModelIsReady: false for a model or version that is unknown or not ready. */
  private isReady(model: string, version: number): boolean {
    const c = this.resolver.modelControl;
    if (c) return c.isReady(model, version);
    try {
      this.resolver.resolve(model, version);
      return true;
    } catch {
      return false;
    }
  }

  /** The process ended: its metrics go (Triton's stub releases them as it exits). */
  close(): void {
    this.metrics.close();
  }
}
