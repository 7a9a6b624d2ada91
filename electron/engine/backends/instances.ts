/**
 * Creates a model version's instances, one per instance_group slot, named as
 * Triton names them (`<group>_<n>`). ONNX Runtime gets a session each (CUDA
 * when asked for and present, else CPU with the reason recorded), script
 * models a worker each, Python models a stub process each, identity models a
 * trivial instance each.
 */
import * as ort from 'onnxruntime-node';
import { ModelInstanceGroup_Kind, type ModelConfig } from '../config/gen/model_config_pb';
import { BACKEND } from '../config/constants';
import { configToTritonJson } from '../config/serialize';
import { instanceTotal, MAX_INSTANCES } from '../config/validate-model';
import { LabError, errorMessage } from '../errors';
import type { BackendInstance, ModelResolver } from '../runtime/types';
import { IdentityInstance } from './identity/instance';
import { createSession, OnnxInstance } from './onnxruntime/instance';
import { ScriptInstance } from './script/host';
import { PythonInstance } from './python/instance';
import { findPython } from './python/interpreter';
import type { LogLevel, SupervisorOptions } from './child-supervisor';

function modelFileOf(ctx: LoadContext): string {
  if (!ctx.modelFile) throw new LabError('UNAVAILABLE', `no model file for '${ctx.model}'`);
  return ctx.modelFile;
}

/** Script and Python instances: Triton's initialize() args and the timeouts from the config parameters. */
function startSupervised(specs: InstanceSpec[], ctx: LoadContext, start: (s: InstanceSpec, opts: SupervisorOptions) => Promise<BackendInstance>): Promise<BackendInstance[]> {
  const modelConfig = JSON.stringify(configToTritonJson(ctx.config));
  return startAll(specs, ctx, (s) =>
    start(s, {
      name: s.name,
      args: {
        model_config: modelConfig,
        model_instance_kind: s.kind,
        model_instance_name: s.name,
        model_instance_device_id: String(s.gpu),
        model_repository: ctx.modelDir,
        model_version: String(ctx.version),
        model_name: ctx.model,
      },
      resolver: ctx.resolver,
      log: ctx.log,
      executeTimeoutMs: param(ctx.config, 'EXECUTE_TIMEOUT_MS', 60_000),
      initializeTimeoutMs: param(ctx.config, 'INITIALIZE_TIMEOUT_MS', 60_000),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }).catch((err: unknown) => {
      throw new LabError(err instanceof LabError ? err.code : 'INTERNAL', `failed to start instance ${s.name}: ${errorMessage(err)}`);
    }),
  );
}

export interface InstanceSpec {
  name: string;
  kind: 'CPU' | 'GPU' | 'MODEL';
  gpu: number;
}

export function instanceSpecs(config: ModelConfig): InstanceSpec[] {
  // The loader refuses such a config; checked again so no caller builds millions of specs.
  if (instanceTotal(config) > MAX_INSTANCES) throw new LabError('INVALID_ARG', `model ${config.name} asks for ${instanceTotal(config)} instances; Model Lab starts at most ${MAX_INSTANCES}`);
  const out: InstanceSpec[] = [];
  for (const g of config.instanceGroup) {
    const kind = g.kind === ModelInstanceGroup_Kind.GPU ? 'GPU' : g.kind === ModelInstanceGroup_Kind.MODEL ? 'MODEL' : 'CPU';
    const gpus = kind === 'GPU' && g.gpus.length > 0 ? g.gpus : [0];
    let n = 0;
    for (const gpu of gpus) for (let c = 0; c < Math.max(1, g.count); c++) out.push({ name: `${g.name}_${n++}`, kind, gpu });
  }
  return out;
}

export interface LoadContext {
  model: string;
  version: number;
  modelDir: string;
  versionDir: string;
  config: ModelConfig;
  modelFile?: string;
  resolver: ModelResolver;
  log: (level: LogLevel, message: string) => void;
  /** Told after each instance starts. */
  progress?: (done: number, total: number) => void;
  /** Aborting stops before the next instance starts (a session being created finishes first). */
  signal?: AbortSignal;
  /** The lab's Python interpreter setting. */
  python?: string;
}

export interface LoadedInstances {
  instances: BackendInstance[];
  /** Where the instances run, e.g. "CPU" or "GPU 0". */
  device: string;
  /** Why a GPU was asked for but not used. */
  fallback?: string;
}

/** Whether this onnxruntime-node install carries the CUDA execution provider. */
function cudaInstalled(): boolean {
  try {
    return ort.listSupportedBackends().some((b) => b.name === 'cuda' && b.bundled);
  } catch {
    return false;
  }
}

const NO_CUDA =
  'the config asks for a GPU, but this onnxruntime-node install has no CUDA execution provider (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with CUDA 12); running on CPU';

/** ONNX Runtime's own session config key, accepted as a model config parameter. */
const ALLOW_SPINNING = 'session.intra_op.allow_spinning';

function param(config: ModelConfig, key: string, fallback: number): number {
  const v = Number(config.parameters[key]?.stringValue);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

async function startAll(specs: InstanceSpec[], ctx: LoadContext, start: (s: InstanceSpec) => Promise<BackendInstance>): Promise<BackendInstance[]> {
  const started: BackendInstance[] = [];
  try {
    for (const s of specs) {
      if (ctx.signal?.aborted) throw new LabError('CANCELLED', `loading '${ctx.model}' was cancelled`);
      started.push(await start(s));
      ctx.progress?.(started.length, specs.length);
    }
    if (ctx.signal?.aborted) throw new LabError('CANCELLED', `loading '${ctx.model}' was cancelled`);
    return started;
  } catch (err) {
    await Promise.all(started.map((i) => i.close().catch(() => undefined)));
    throw err;
  }
}

export async function createInstances(backend: string, ctx: LoadContext): Promise<LoadedInstances> {
  const specs = instanceSpecs(ctx.config);
  switch (backend) {
    case BACKEND.identity:
      return { instances: specs.map((s) => new IdentityInstance(s.name, ctx.config)), device: 'CPU' };
    case BACKEND.onnxruntime: {
      if (!ctx.modelFile) throw new LabError('UNAVAILABLE', `no model file for '${ctx.model}'`);
      const cuda = cudaInstalled();
      let fallback: string | undefined;
      const devices = new Set<string>();
      const instances = await startAll(specs, ctx, async (s) => {
        const wantGpu = s.kind === 'GPU' && cuda;
        if (s.kind === 'GPU' && !cuda) fallback = NO_CUDA;
        const choice = await createSession({
          file: ctx.modelFile!,
          wantGpu,
          gpuId: s.gpu,
          intraOpThreads: param(ctx.config, 'intra_op_thread_count', 2),
          // Off unless the config asks: with several models on a few cores, spinning threads starve the others.
          allowSpinning: ctx.config.parameters[ALLOW_SPINNING]?.stringValue === '1',
          graphLevel: ctx.config.optimization?.graph?.level ?? 0,
        });
        if (choice.fallback) fallback = choice.fallback;
        devices.add(choice.device);
        return new OnnxInstance(s.name, choice.device, choice.session, ctx.config);
      });
      if (fallback) ctx.log('warn', `${ctx.model}: ${fallback}`);
      return { instances, device: [...devices].join(', ') || 'CPU', ...(fallback ? { fallback } : {}) };
    }
    case BACKEND.script: {
      const file = modelFileOf(ctx);
      const instances = await startSupervised(specs, ctx, (s, opts) =>
        ScriptInstance.start({ ...opts, setup: { file, versionDir: ctx.versionDir, modelDir: ctx.modelDir, instanceName: s.name } }),
      );
      return { instances, device: 'CPU' };
    }
    case BACKEND.python: {
      const file = modelFileOf(ctx);
      const env = await findPython(ctx.config, ctx.modelDir, ctx.python);
      const instances = await startSupervised(specs, ctx, (_s, opts) =>
        PythonInstance.start({ ...opts, executable: env.executable, setup: { file, versionDir: ctx.versionDir, modelName: ctx.model } }),
      );
      ctx.log('info', `${ctx.model}: Python ${env.python} with numpy ${env.numpy} (${env.executable})`);
      return { instances, device: 'CPU' };
    }
    default:
      throw new LabError('UNSUPPORTED', `Model Lab cannot run the '${backend}' backend`);
  }
}
