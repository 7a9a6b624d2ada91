/** The in-process target: the engine's own Repository, statistics read from the runner (as Triton's /stats would report them). */
import { toNumbers } from '../config/shape';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { LabError } from '../errors';
import type { Repository } from '../repository/repository';
import type { ModelStatistics } from '../runtime/stats';
import { apiDType } from '../tensor/dtype';
import type { Tensor } from '../tensor/tensor';
import type { InputSpec } from './inputs';
import type { ProfileTarget, RequestTimes, ServerStats, TargetDescription } from './types';

export function inputSpecs(config: ModelConfig): InputSpec[] {
  return config.input.map((i) => {
    const dtype = apiDType(i.dataType);
    if (!dtype) throw new LabError('INVALID_ARG', `input '${i.name}' has no data type in the config`);
    return { name: i.name, dtype, dims: toNumbers(i.dims), batched: config.maxBatchSize > 0 };
  });
}

export function serverStatsOf(s: ModelStatistics): ServerStats {
  return {
    successCount: s.success.count,
    successNs: s.success.ns,
    queueCount: s.queue.count,
    queueNs: s.queue.ns,
    computeInputCount: s.computeInput.count,
    computeInputNs: s.computeInput.ns,
    computeInferCount: s.computeInfer.count,
    computeInferNs: s.computeInfer.ns,
    computeOutputCount: s.computeOutput.count,
    computeOutputNs: s.computeOutput.ns,
    inferenceCount: s.inferenceCount,
    executionCount: s.executionCount,
  };
}

const NO_TRANSFER: RequestTimes = { sendNs: 0, recvNs: 0 };

export class LocalTarget implements ProfileTarget {
  private next = 0;

  constructor(
    private readonly repo: Repository,
    private readonly model: string,
    private readonly version: number,
    private readonly requests: Tensor[][],
  ) {
    if (requests.length === 0) throw new LabError('INVALID_ARG', 'no request data');
  }

  async infer(): Promise<RequestTimes> {
    const inputs = this.requests[this.next++ % this.requests.length]!;
    await this.repo.infer(this.model, this.version, { id: 'profile', inputs });
    return NO_TRANSFER;
  }

  statistics(): Promise<ServerStats> {
    try {
      return Promise.resolve(serverStatsOf(this.repo.resolve(this.model, this.version).statistics));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  describe(): TargetDescription {
    return { kind: 'in-process', address: this.repo.root, sameHost: true };
  }
}
