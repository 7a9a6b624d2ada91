/**
 * Triton's identity backend: OUTPUT<k> is INPUT<k> of the same request,
 * byte for byte (paired by the name's suffix). An optional input that was
 * not sent gives a zero-filled output. The `execute_delay_ms` config parameter
 * delays every execute by that long, as Triton's identity backend does (its
 * QA uses it to keep requests queued or executing, e.g. to cancel them).
 */
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { toNumbers } from '../../config/shape';
import { LabError } from '../../errors';
import { apiDType } from '../../tensor/dtype';
import { allocate, elementCount, type Tensor } from '../../tensor/tensor';
import type { BackendInstance, InstanceResult, PreparedRequest } from '../../runtime/types';
import { identitySuffix } from './config';

export class IdentityInstance implements BackendInstance {
  readonly device = 'CPU';
  private readonly delayMs: number;

  constructor(
    readonly name: string,
    private readonly config: ModelConfig,
  ) {
    this.delayMs = executeDelayMs(config);
  }

  private one(r: PreparedRequest): InstanceResult {
    const out: Tensor[] = [];
    for (const outputName of r.requested) {
      const suffix = identitySuffix(outputName, 'OUTPUT') ?? '';
      const cfg = this.config.input.find((x) => identitySuffix(x.name, 'INPUT') === suffix);
      const inputName = cfg?.name ?? `INPUT${suffix}`;
      const t = r.inputs.get(inputName);
      if (t) {
        // A real copy, as Triton's identity backend makes: the output may be handed on (transferred) by whoever reads it last.
        out.push({ name: outputName, dtype: t.dtype, shape: [...t.shape], data: Array.isArray(t.data) ? t.data.map((b) => b.slice()) : t.data.slice() });
        continue;
      }
      if (!cfg?.optional) return new LabError('UNSUPPORTED', `failed to get input '${inputName}'`);
      const dtype = apiDType(cfg.dataType)!;
      const dims = toNumbers(cfg.reshape ? cfg.reshape.shape : cfg.dims).map((d) => (d === -1 ? 1 : d));
      const shape = r.batchSize > 0 ? [r.batchSize, ...dims] : dims;
      out.push({ name: outputName, dtype, shape, data: allocate(dtype, elementCount(shape)) });
    }
    return out;
  }

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return requests.map((r) => this.one(r));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The `execute_delay_ms` parameter (a non-negative integer; anything else counts as 0, as identity_backend's strtol would leave it). */
function executeDelayMs(config: ModelConfig): number {
  const text = config.parameters['execute_delay_ms']?.stringValue ?? '';
  const ms = /^\s*\d+/.test(text) ? Number.parseInt(text, 10) : 0;
  return Number.isSafeInteger(ms) ? Math.min(ms, 2 ** 31 - 1) : 0;
}
