/**
 * A remote server's answers in the lab contract's shapes, so the tree and the model pages show a
 * remote model as they show a local one: the index as ModelSummaries (states and reasons as the
 * server gave them), a ModelDetail from the server's config JSON (printed as config.pbtxt by our
 * printer, the JSON kept as it came) and statistics rows from the stats JSON.
 */
import type { InstanceGroupRow, ModelDetail, ModelState, ModelStatsRow, ModelSummary, VersionSummary } from '../../contract/lab-api';
import type { RemoteModelMetadata } from '../../contract/remote-api';
import { ModelInstanceGroup_KindSchema, type ModelConfig } from '../config/gen/model_config_pb';
import { configToText } from '../config/serialize';
import { enumValueName } from '../config/shape';
import { ioRow } from '../repository/views';
import type { RemoteIndexEntry, RemoteStatistics } from './types';

const STATES: readonly string[] = ['READY', 'UNAVAILABLE', 'LOADING', 'UNLOADING'];

/** Triton's index states (an explicit-mode model never loaded has none): anything else reads as UNAVAILABLE. */
export function modelState(state: string): ModelState {
  return (STATES.includes(state) ? state : 'UNAVAILABLE') as ModelState;
}

function versionNumber(v: string): number {
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** One summary per model name; its state is the best of its versions' (READY if any is). */
export function remoteSummaries(index: readonly RemoteIndexEntry[]): ModelSummary[] {
  const byName = new Map<string, RemoteIndexEntry[]>();
  // Pushed, not copied: a server may list 100k versions of one name (a copy per entry froze the lab for minutes).
  for (const e of index) {
    const list = byName.get(e.name);
    if (list) list.push(e);
    else byName.set(e.name, [e]);
  }
  return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, entries]) => remoteSummary(name, entries));
}

export function remoteSummary(name: string, entries: readonly RemoteIndexEntry[], platform = '', backend = ''): ModelSummary {
  const versions: VersionSummary[] = entries
    .filter((e) => e.version !== '')
    .map((e) => ({ version: versionNumber(e.version), served: e.state === 'READY', state: modelState(e.state), reason: e.reason, files: [] }))
    .sort((a, b) => a.version - b.version);
  const ready = entries.find((e) => e.state === 'READY');
  const main = ready ?? entries.find((e) => e.state === 'LOADING' || e.state === 'UNLOADING') ?? entries[0];
  const state = main ? modelState(main.state) : 'UNAVAILABLE';
  const reason = main?.reason || (main && main.state === '' ? 'not loaded' : '');
  return { name, state, reason, backend, platform, isEnsemble: platform === 'ensemble', runnable: true, hasConfigFile: false, versions, files: [], errors: 0, warnings: 0 };
}

function scheduling(c: ModelConfig): ModelDetail['scheduling'] {
  const k = c.schedulingChoice.case;
  return k === 'dynamicBatching' ? 'dynamic_batching' : k === 'sequenceBatching' ? 'sequence_batching' : k === 'ensembleScheduling' ? 'ensemble_scheduling' : 'none';
}

/** A remote model's page: the config as the server completed it, shown through our printer; no files. */
export function remoteModelDetail(repoId: string, summary: ModelSummary, c: ModelConfig, json: unknown, metadata: RemoteModelMetadata | undefined): ModelDetail {
  const groups: InstanceGroupRow[] = c.instanceGroup.map((g) => ({ name: g.name, kind: enumValueName(ModelInstanceGroup_KindSchema, g.kind), count: g.count, gpus: [...g.gpus] }));
  const mbs = c.maxBatchSize;
  const text = configToText(c);
  const ensemble = c.schedulingChoice.case === 'ensembleScheduling' ? c.schedulingChoice.value.step : [];
  return {
    repoId,
    summary: { ...summary, backend: c.backend || summary.backend, platform: c.platform || summary.platform, isEnsemble: c.platform === 'ensemble' },
    configText: text,
    diagnostics: [],
    completedConfigText: text,
    completedConfigJson: json,
    autoFilled: [],
    maxBatchSize: mbs,
    inputs: c.input.map((io) => ioRow(io, mbs, true)),
    outputs: c.output.map((io) => ioRow(io, mbs, false)),
    instanceGroups: groups,
    scheduling: scheduling(c),
    ensembleSteps: ensemble.map((s) => ({ modelName: s.modelName, modelVersion: Number(s.modelVersion), inputMap: { ...s.inputMap }, outputMap: { ...s.outputMap } })),
    versionPolicy: c.versionPolicy?.policyChoice.case ?? 'latest',
    defaultModelFilename: c.defaultModelFilename,
    ...(metadata ? { remoteMetadata: metadata } : {}),
  };
}

/** A model the server has not loaded: Triton serves its config and metadata only once it is loaded, so the page has its index entry alone. */
export function remoteUnloadedDetail(repoId: string, summary: ModelSummary): ModelDetail {
  return {
    repoId,
    summary,
    diagnostics: [],
    autoFilled: [],
    maxBatchSize: 0,
    inputs: [],
    outputs: [],
    instanceGroups: [],
    scheduling: 'none',
    ensembleSteps: [],
    versionPolicy: '',
    defaultModelFilename: '',
  };
}

function num(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
}

/** Statistics rows as the Stats tab shows them, from Triton's stats JSON (counts and ns, possibly as strings). */
export function remoteStatsRows(stats: RemoteStatistics, model: string): ModelStatsRow[] {
  const ms = (ns: number, n: number): number => (n ? ns / n / 1e6 : 0);
  return (Array.isArray(stats.model_stats) ? stats.model_stats : [])
    .filter((s) => s && s.name === model)
    .map((s) => {
      const st = s.inference_stats ?? {};
      const phase = (k: string): { count: number; ns: number } => ({ count: num(st[k]?.count), ns: num(st[k]?.ns) });
      const [success, fail, queue, input, infer, output] = ['success', 'fail', 'queue', 'compute_input', 'compute_infer', 'compute_output'].map(phase) as [
        { count: number; ns: number },
        { count: number; ns: number },
        { count: number; ns: number },
        { count: number; ns: number },
        { count: number; ns: number },
        { count: number; ns: number },
      ];
      const batches = (Array.isArray(s.batch_stats) ? s.batch_stats : []).map((b) => ({ size: num(b.batch_size), executions: num(b.compute_infer?.count) })).sort((a, b) => a.size - b.size);
      return {
        version: versionNumber(String(s.version)),
        success: success.count,
        failure: fail.count,
        inferenceCount: num(s.inference_count),
        executionCount: num(s.execution_count),
        avgRequestMs: ms(success.ns, success.count),
        avgQueueMs: ms(queue.ns, queue.count),
        avgComputeMs: ms(input.ns + infer.ns + output.ns, infer.count),
        batches,
        pending: 0,
      };
    });
}
