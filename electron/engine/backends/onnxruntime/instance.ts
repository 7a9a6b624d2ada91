/**
 * One ONNX Runtime session per instance. Requests run together are joined
 * along the batch dimension and split again; CPU uses two intra-op threads
 * (faster than ORT's default on small machines); CUDA is tried when the
 * config asks for a GPU, and a failure falls back to CPU with the reason kept.
 */
import type * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { LabError, errorMessage } from '../../errors';
import { withRegularFile } from '../../util/regular-file';
import { type ApiDType } from '../../tensor/dtype';
import { type NumericArray, type Tensor, bytesFromStrings, concatData, elementCount, isBytesData, sliceData, stringsFromBytes } from '../../tensor/tensor';
import type { BackendInstance, InstanceResult, PreparedRequest } from '../../runtime/types';
import { loadOrt, loadedOrt } from './runtime';

const TO_ORT: Partial<Record<ApiDType, ort.Tensor.Type>> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const FROM_ORT: Record<string, ApiDType> = Object.fromEntries(Object.entries(TO_ORT).map(([k, v]) => [v, k as ApiDType]));

/** ONNX Runtime's names for the execution providers the lab asks for. */
export const PROVIDER = { cpu: 'CPUExecutionProvider', cuda: 'CUDAExecutionProvider' } as const;

export interface SessionChoice {
  session: ort.InferenceSession;
  device: string;
  /** The execution provider the session runs on (PROVIDER). */
  provider: string;
  /** Why a GPU was asked for but not used. */
  fallback?: string;
}

export interface SessionOptions {
  file: string;
  wantGpu: boolean;
  gpuId: number;
  intraOpThreads: number;
  /** ORT's thread pools busy-wait between work items by default; that wins alone and loses when sessions share cores. */
  allowSpinning?: boolean;
  graphLevel?: number;
}

function graphOptimization(level: number | undefined): ort.InferenceSession.SessionOptions['graphOptimizationLevel'] {
  // Triton's ORT backend: -1 basic, 1 extended, otherwise all.
  if (level === -1) return 'basic';
  if (level === 1) return 'extended';
  return 'all';
}

export async function createSession(opts: SessionOptions): Promise<SessionChoice> {
  // Loaded here, not at startup: a binding that does not load makes this model UNAVAILABLE (runtime.ts).
  const runtime = await loadOrt();
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: graphOptimization(opts.graphLevel),
    extra: { session: { intra_op: { allow_spinning: opts.allowSpinning ? '1' : '0' }, inter_op: { allow_spinning: opts.allowSpinning ? '1' : '0' } } },
  };
  // ONNX Runtime opens the file itself, on the main thread: a FIFO swapped in since the loader read
  // it would block the event loop for good. Look again, without blocking, just before (a race remains).
  await withRegularFile(opts.file, opts.file, () => Promise.resolve());
  let fallback: string | undefined;
  if (opts.wantGpu) {
    try {
      const session = await runtime.InferenceSession.create(opts.file, { ...base, executionProviders: [{ name: 'cuda', deviceId: opts.gpuId }] });
      return { session, device: `GPU ${opts.gpuId}`, provider: PROVIDER.cuda };
    } catch (err) {
      // The provider libraries are there (cudaSupport said so): what failed is this computer's CUDA.
      fallback = `CUDA is not available (${errorMessage(err).split('\n')[0]}); running on CPU. The CUDA execution provider needs an NVIDIA driver with CUDA 12 and cuDNN 9 on this computer.`;
    }
  }
  try {
    const session = await runtime.InferenceSession.create(opts.file, { ...base, executionProviders: ['cpu'] });
    return { session, device: 'CPU', provider: PROVIDER.cpu, ...(fallback ? { fallback } : {}) };
  } catch (err) {
    throw new LabError('INTERNAL', `onnx runtime error: ${errorMessage(err)}`, { cause: err });
  }
}

/** Only after a session was created (ONNX Runtime is loaded by then). */
export function toOrt(t: Tensor): ort.Tensor {
  const { Tensor: OrtTensor } = loadedOrt();
  const type = TO_ORT[t.dtype];
  if (!type) throw new LabError('UNSUPPORTED', `ONNX Runtime has no ${t.dtype} tensors (input '${t.name}')`);
  if (isBytesData(t.data)) return new OrtTensor('string', stringsFromBytes(t.data), t.shape);
  return new OrtTensor(type, t.data as never, t.shape);
}

export function fromOrt(name: string, t: ort.Tensor): Tensor {
  const dtype = FROM_ORT[t.type];
  if (!dtype) throw new LabError('UNSUPPORTED', `output '${name}' has ONNX type ${t.type}, which Triton cannot return`);
  const shape = t.dims.map(Number);
  if (dtype === 'BYTES') return { name, dtype, shape, data: bytesFromStrings(t.data as string[]) };
  return { name, dtype, shape, data: t.data as NumericArray };
}

export class OnnxInstance implements BackendInstance {
  lastOwnNs = 0;
  lastInputNs = 0;

  constructor(
    readonly name: string,
    readonly device: string,
    /** The execution provider its session runs on (PROVIDER). */
    readonly provider: string,
    private readonly session: ort.InferenceSession,
    private readonly config: ModelConfig,
  ) {}

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    const begin = process.hrtime.bigint();
    if (requests.length === 1) return [await this.runOne(requests[0]!, begin)];
    // Batched: join inputs along dimension 0, run once, split outputs by each request's batch size.
    const sizes = requests.map((r) => Math.max(1, r.batchSize));
    const total = sizes.reduce((a, b) => a + b, 0);
    const feeds: Record<string, ort.Tensor> = {};
    // Every input the requests carry: the config's, and those the scheduler adds (sequence controls, implicit state).
    for (const name of new Set([...this.config.input.map((i) => i.name), ...requests[0]!.inputs.keys()])) {
      const parts = requests.map((r) => r.inputs.get(name));
      if (parts.some((p) => !p)) continue;
      const first = parts[0]!;
      feeds[name] = toOrt({
        name,
        dtype: first.dtype,
        shape: [total, ...first.shape.slice(1)],
        data: concatData(
          first.dtype,
          parts.map((p) => p!.data),
        ),
      });
    }
    const names = [...new Set(requests.flatMap((r) => r.requested))];
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      const t0 = process.hrtime.bigint();
      this.lastInputNs = Number(t0 - begin);
      out = await this.session.run(feeds, names);
      this.lastOwnNs = Number(process.hrtime.bigint() - t0);
    } catch (err) {
      const e = new LabError('INTERNAL', `onnx runtime error: ${errorMessage(err)}`);
      return requests.map(() => e);
    }
    let offset = 0;
    return requests.map((r, i) => {
      const n = sizes[i]!;
      const tensors = r.requested.map((name) => {
        const whole = fromOrt(name, out[name] as ort.Tensor);
        const per = elementCount(whole.shape.slice(1));
        return { ...whole, shape: [n, ...whole.shape.slice(1)], data: sliceData(whole.data, offset * per, n * per) };
      });
      offset += n;
      return tensors;
    });
  }

  private async runOne(r: PreparedRequest, begin: bigint): Promise<InstanceResult> {
    const feeds: Record<string, ort.Tensor> = {};
    try {
      for (const [name, t] of r.inputs) feeds[name] = toOrt(t);
      const t0 = process.hrtime.bigint();
      this.lastInputNs = Number(t0 - begin);
      const out = await this.session.run(feeds, r.requested);
      this.lastOwnNs = Number(process.hrtime.bigint() - t0);
      return r.requested.map((name) => fromOrt(name, out[name] as ort.Tensor));
    } catch (err) {
      return err instanceof LabError ? err : new LabError('INTERNAL', `onnx runtime error: ${errorMessage(err)}`);
    }
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
