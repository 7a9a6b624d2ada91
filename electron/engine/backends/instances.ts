/**
 * Starts a model version's instances, one per instance_group slot, named as
 * Triton names them (`<group>_<n>`), through the backend's own factory (its
 * descriptor's `instances`). The helpers here are what the factories share:
 * starting one after another (stopping the started ones on a failure or a
 * cancelled load), and the child-process options of script and Python models.
 */
import { ModelInstanceGroup_Kind, type ModelConfig } from '../config/gen/model_config_pb';
import { configToTritonJson } from '../config/serialize';
import { instanceTotal, MAX_INSTANCES } from '../config/validate-model';
import { LabError, errorMessage } from '../errors';
import type { BackendInstance } from '../runtime/types';
import type { Backend, InstanceSpec, LoadContext, LoadedInstances } from './backend';
import type { SupervisorOptions } from './child-supervisor';

export function modelFileOf(ctx: LoadContext): string {
  if (!ctx.modelFile) throw new LabError('UNAVAILABLE', `no model file for '${ctx.model}'`);
  return ctx.modelFile;
}

/** Script and Python instances: Triton's initialize() args and the timeouts from the config parameters. */
export function startSupervised(specs: InstanceSpec[], ctx: LoadContext, start: (s: InstanceSpec, opts: SupervisorOptions) => Promise<BackendInstance>): Promise<BackendInstance[]> {
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
      const reason = err instanceof LabError ? err.reason : undefined;
      throw new LabError(err instanceof LabError ? err.code : 'INTERNAL', `failed to start instance ${s.name}: ${errorMessage(err)}`, reason ? { reason } : undefined);
    }),
  );
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

/** A positive number from the config parameter `key`, else `fallback`. */
export function param(config: ModelConfig, key: string, fallback: number): number {
  const v = Number(config.parameters[key]?.stringValue);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Starts the instances one after another; a failure or a cancelled load stops those already started. */
export async function startAll(specs: InstanceSpec[], ctx: LoadContext, start: (s: InstanceSpec) => Promise<BackendInstance>): Promise<BackendInstance[]> {
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

/** Starts a version's instances with its backend's factory. */
export async function createInstances(backend: Backend, ctx: LoadContext): Promise<LoadedInstances> {
  const specs = instanceSpecs(ctx.config);
  if (!backend.instances) throw new LabError('UNSUPPORTED', `Model Lab cannot run the '${backend.name}' backend`);
  return backend.instances(specs, ctx);
}
