/**
 * Turns loader records into the lab contract's shapes: summaries for the
 * browser tree, details for the model view, diagnostics placed at a line.
 */
import path from 'node:path';
import type { Diagnostic, InstanceGroupRow, IoRow, ModelDetail, ModelSummary, VersionSummary } from '../../contract/lab-api';
import { ModelInput_Format, ModelInput_FormatSchema, ModelInstanceGroup_KindSchema, type ModelConfig, type ModelInput, type ModelOutput } from '../config/gen/model_config_pb';
import type { ConfigIssue } from '../config/issues';
import { configToText, configToTritonJson } from '../config/serialize';
import { enumValueName, fullShape, toNumbers } from '../config/shape';
import { formatPath, spanAt } from '../config/text/source-map';
import { apiTypeName, configTypeName } from '../tensor/dtype';
import { isEnsemble } from './model-loader';
import { isRunnable } from '../backends/backend';
import { backendFor } from '../backends/registry';
import { ensembleSteps } from '../config/ensemble-graph';
import type { ModelRecord } from './types';
import { toPosix } from '../util/fs-tree';

/** The config to show: the newest served version's final config, else the model-level one. */
export function displayConfig(rec: ModelRecord): ModelConfig | undefined {
  const served = rec.versions.filter((v) => v.served && v.config);
  return served[served.length - 1]?.config ?? rec.base;
}

function locate(rec: ModelRecord, root: string, i: ConfigIssue): Diagnostic {
  const d: Diagnostic = { severity: i.severity, code: i.code, message: i.message };
  if (i.fix) d.fix = i.fix;
  if (i.path) d.field = formatPath(i.path);
  if (rec.configPath) {
    d.file = toPosix(path.relative(root, rec.configPath));
    const span = i.span ?? (i.path && rec.outline ? spanAt(rec.outline.root, i.path) : undefined);
    if (span) {
      d.line = span.start.line;
      d.column = span.start.column;
      d.endLine = span.end.line;
      d.endColumn = span.end.column;
    }
  } else {
    d.file = toPosix(path.relative(root, rec.dir));
  }
  return d;
}

export function diagnosticsOf(rec: ModelRecord, root: string): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const all = [...rec.issues, ...rec.dependencyIssues, ...rec.versions.flatMap((v) => v.issues)];
  for (const i of all) {
    const key = `${i.code}|${i.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(locate(rec, root, i));
  }
  out.push(...rec.fileDiagnostics);
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b) => rank[a.severity] - rank[b.severity] || (a.line ?? 0) - (b.line ?? 0));
}

export function toModelSummary(rec: ModelRecord, root: string): ModelSummary {
  const c = displayConfig(rec);
  const backend = backendFor(c?.backend ?? '');
  const diags = diagnosticsOf(rec, root);
  const versions: VersionSummary[] = rec.versions.map((v) => ({
    version: v.version,
    served: v.served,
    state: v.state,
    reason: v.reason,
    ...(v.reasonCode ? { reasonCode: v.reasonCode } : {}),
    files: v.files,
    ...(v.device ? { device: v.device } : {}),
    ...(v.deviceNote ? { deviceNote: v.deviceNote } : {}),
    // Where the instances run only while they run: an unloaded or failed version claims no execution provider.
    ...(v.placements && v.state === 'READY' ? { instances: v.placements.map((p) => ({ ...p })) } : {}),
  }));
  return {
    name: rec.name,
    state: rec.state,
    reason: rec.reason,
    ...(rec.reasonCode ? { reasonCode: rec.reasonCode } : {}),
    ...(rec.reloadFailure ? { reloadFailure: { ...rec.reloadFailure } } : {}),
    backend: c?.backend ?? '',
    platform: c?.platform ?? '',
    isEnsemble: isEnsemble(rec),
    runnable: isEnsemble(rec) || isRunnable(backend),
    ...(c?.backend ? { backendRuns: backend.runs } : {}),
    hasConfigFile: rec.configPath !== undefined,
    versions,
    files: rec.files,
    errors: diags.filter((d) => d.severity === 'error').length,
    warnings: diags.filter((d) => d.severity === 'warning').length,
  };
}

export function ioRow(io: ModelInput | ModelOutput, mbs: number, isInput: boolean): IoRow {
  const dims = toNumbers(io.dims);
  const row: IoRow = {
    name: io.name,
    dataType: configTypeName(io.dataType),
    datatype: apiTypeName(io.dataType),
    dims,
    fullShape: fullShape(dims, mbs),
  };
  if (io.reshape) row.reshape = toNumbers(io.reshape.shape);
  if (io.isShapeTensor) row.isShapeTensor = true;
  if (isInput) {
    const input = io as ModelInput;
    if (input.format !== ModelInput_Format.NONE) row.format = enumValueName(ModelInput_FormatSchema, input.format);
    if (input.optional) row.optional = true;
  } else if ((io as ModelOutput).labelFilename) {
    row.labelFilename = (io as ModelOutput).labelFilename;
  }
  return row;
}

/** Whether a model (an ensemble's member, by name) has sequence_batching. */
export type SequenceMember = (model: string) => boolean;

export function toModelDetail(repoId: string, rec: ModelRecord, root: string, sequenceMember?: SequenceMember): ModelDetail {
  const c = displayConfig(rec);
  const filled = new Set([...rec.baseFilled, ...rec.versions.filter((v) => v.served).flatMap((v) => [...v.filled])]);
  const groups: InstanceGroupRow[] = (c?.instanceGroup ?? []).map((g) => ({
    name: g.name,
    kind: enumValueName(ModelInstanceGroup_KindSchema, g.kind),
    count: g.count,
    gpus: [...g.gpus],
  }));
  const mbs = c?.maxBatchSize ?? 0;
  const detail: ModelDetail = {
    repoId,
    summary: toModelSummary(rec, root),
    diagnostics: diagnosticsOf(rec, root),
    autoFilled: [...filled].sort(),
    maxBatchSize: mbs,
    inputs: (c?.input ?? []).map((io) => ioRow(io, mbs, true)),
    outputs: (c?.output ?? []).map((io) => ioRow(io, mbs, false)),
    instanceGroups: groups,
    scheduling:
      c?.schedulingChoice.case === 'dynamicBatching'
        ? 'dynamic_batching'
        : c?.schedulingChoice.case === 'sequenceBatching'
          ? 'sequence_batching'
          : c?.schedulingChoice.case === 'ensembleScheduling'
            ? 'ensemble_scheduling'
            : 'none',
    ensembleSteps: c
      ? ensembleSteps(c).map((s) => ({
          modelName: s.modelName,
          modelVersion: Number(s.modelVersion),
          inputMap: { ...s.inputMap },
          outputMap: { ...s.outputMap },
          ...(sequenceMember?.(s.modelName) ? { sequence: true } : {}),
        }))
      : [],
    versionPolicy: rec.policy,
    defaultModelFilename: c?.defaultModelFilename ?? '',
  };
  if (rec.configText !== undefined) detail.configText = rec.configText;
  if (rec.configPath) detail.configPath = toPosix(path.relative(root, rec.configPath));
  if (c && rec.polled) {
    detail.completedConfigText = configToText(c);
    detail.completedConfigJson = configToTritonJson(c);
  }
  return detail;
}
