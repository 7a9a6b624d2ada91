/**
 * The settings RPCs of GRPCInferenceService: TraceSetting and LogSettings,
 * read and checked as grpc_server.cc does (its parsing and its wording),
 * applied to the core's trace and log settings, answered with the settings
 * now in force.
 */
import { LabError } from '../../../engine/errors';
import type { SettingValue } from '../log-settings';
import type { TraceChange } from '../trace-settings';
import type { LogSettingsRequest_SettingValue, TraceSettingRequest_SettingValue } from './gen/grpc_service_pb';
import type { RpcContext, Unary } from './rpc';
import { unknownModelSetting } from '../../../engine/triton-errors';

/** std::stoi as Triton's TraceSetting handler applies it: leading integer, int32 range. */
function traceInteger(key: 'trace_rate' | 'trace_count' | 'log_frequency', raw: string): string {
  const m = /^\s*([+-]?\d+)/.exec(raw);
  if (!m) throw new LabError('INVALID_ARG', `Unable to parse '${key}', got: ${raw}`);
  const v = Number.parseInt(m[1]!, 10);
  if (v < -2147483648 || v > 2147483647) {
    const range = key === 'trace_count' ? '[ -1, 2147483647 ]' : '[ 0, 4294967295 ]';
    throw new LabError('INVALID_ARG', `Unable to parse '${key}', value is out of range ${range}, got: ${raw}`);
  }
  if (key === 'trace_count' && v < -1) throw new LabError('INVALID_ARG', `Unable to parse 'trace_count'. Expecting value >= -1, got: ${raw}`);
  return String(v);
}

/** One LogSettings value checked for the kind Triton expects of its key. */
function logValue(key: string, v: LogSettingsRequest_SettingValue): SettingValue {
  const c = v.parameterChoice;
  switch (key) {
    case 'log_verbose_level':
      if (c.case !== 'uint32Param') throw new LabError('INVALID_ARG', `expect int32 for '${key}'`);
      return c.value;
    case 'log_format':
      if (c.case !== 'stringParam') throw new LabError('INVALID_ARG', `expect string for '${key}'`);
      if (c.value !== 'default' && c.value !== 'ISO8601') throw new LabError('INVALID_ARG', `invalid argument for log_format, got: ${c.value}`);
      return c.value;
    default:
      if (c.case !== 'boolParam') throw new LabError('INVALID_ARG', `expect boolean for '${key}'`);
      return c.value;
  }
}

/** A TraceSetting request's changes (an empty value is a null change: cleared); the trace file cannot change over the network. */
function traceChanges(s: Record<string, TraceSettingRequest_SettingValue>): Record<string, TraceChange> {
  if (s['trace_file']) throw new LabError('UNSUPPORTED', 'trace file location can not be updated through network protocol');
  const changes: Record<string, TraceChange> = {};
  const level = s['trace_level'];
  if (level) changes['trace_level'] = level.value.length === 0 ? null : level.value;
  for (const key of ['trace_rate', 'trace_count', 'log_frequency'] as const) {
    const v = s[key];
    if (!v) continue;
    if (v.value.length === 0) changes[key] = null;
    else if (v.value.length === 1) changes[key] = traceInteger(key, v.value[0]!);
    else throw new LabError('INVALID_ARG', `expect only 1 value for '${key}'`);
  }
  return changes;
}

export function addSettingsRpcs(unary: Unary, { core }: RpcContext): void {
  unary('traceSetting', (req) => {
    const model = req.modelName === '' ? undefined : req.modelName;
    if (model && !core.modelReady(model)) throw unknownModelSetting(model);
    if (Object.keys(req.settings).length > 0) core.traceSettings.update(model, traceChanges(req.settings));
    const now = core.traceSettings.get(model);
    return {
      settings: {
        trace_level: { value: now.trace_level },
        trace_rate: { value: [now.trace_rate] },
        trace_count: { value: [now.trace_count] },
        log_frequency: { value: [now.log_frequency] },
        trace_file: { value: [now.trace_file] },
        trace_mode: { value: [now.trace_mode] },
      },
    };
  });

  unary('logSettings', (req) => {
    const s = req.settings;
    if (Object.keys(s).length > 0) {
      if (s['log_file']) throw new LabError('UNSUPPORTED', 'log file location can not be updated through network protocol');
      // Applied one by one in Triton's order: a bad value stops there, earlier ones stay applied.
      for (const key of ['log_info', 'log_warning', 'log_error', 'log_verbose_level', 'log_format']) {
        const v = s[key];
        if (v) core.logSettings.update({ [key]: logValue(key, v) });
      }
    }
    const now = core.logSettings.get();
    return {
      settings: {
        log_file: { parameterChoice: { case: 'stringParam', value: now.log_file } },
        log_info: { parameterChoice: { case: 'boolParam', value: now.log_info } },
        log_warning: { parameterChoice: { case: 'boolParam', value: now.log_warning } },
        log_error: { parameterChoice: { case: 'boolParam', value: now.log_error } },
        log_verbose_level: { parameterChoice: { case: 'uint32Param', value: now.log_verbose_level } },
        log_format: { parameterChoice: { case: 'stringParam', value: now.log_format } },
      },
    };
  });
}
