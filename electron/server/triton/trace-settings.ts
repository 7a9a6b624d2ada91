/**
 * Triton's trace extension: settings per server and per model (GET/POST
 * /v2[/models/{m}]/trace/setting, gRPC TraceSetting), with Triton's value
 * forms (strings, trace_level a list) and errors, sampling every
 * trace_rate-th request up to trace_count, and trace records written to
 * trace_file as Triton's JSON (one object naming the model, one with its
 * timestamps) every log_frequency traces and at shutdown.
 */
import { promises as fs } from 'node:fs';
import { LabError } from '../../engine/errors';
import type { Trace } from '../../engine/runtime/trace';
import { type TraceRecord, traceRecords } from '../../engine/runs/trace-export';

export interface TraceSettingsValues {
  trace_level: string[];
  trace_rate: string;
  trace_count: string;
  log_frequency: string;
  trace_file: string;
  trace_mode: string;
}

type Key = 'trace_level' | 'trace_rate' | 'trace_count' | 'log_frequency';
/** One change as received: a list of strings (gRPC, or HTTP trace_level), a string, or null to clear a model's own value. */
export type TraceChange = string[] | string | null;

const U32_MAX = 4294967295;
const I32_MAX = 2147483647;

function parseInteger(key: string, raw: string, min: number, max: number): number {
  if (!/^\s*[+-]?\d/.test(raw)) throw new LabError('INVALID_ARG', `Unable to parse '${key}', got: ${raw}`);
  const v = Number.parseInt(raw, 10);
  if (key === 'trace_count' && v >= -2147483648 && v < min) throw new LabError('INVALID_ARG', `Unable to parse 'trace_count'. Expecting value >= ${min}, got:${raw}`);
  if (v < (key === 'trace_count' ? -2147483648 : 0) || v > max) throw new LabError('INVALID_ARG', `Unable to parse '${key}', value is out of range [ ${min}, ${max} ], got: ${raw}`);
  return v;
}

interface Sampling {
  seen: number;
  /** Traces still to take; -1 is unlimited. */
  left: number;
}

export class TraceSettings {
  private global: Omit<TraceSettingsValues, 'trace_mode'>;
  private readonly models = new Map<string, Partial<Record<Key, string | string[]>>>();
  private readonly sampling = new Map<string, Sampling>();
  private pending: TraceRecord[] = [];
  private written = 0;
  private nextId = 1;
  private chain: Promise<void> = Promise.resolve();

  constructor(init: Partial<Omit<TraceSettingsValues, 'trace_mode'>> = {}) {
    this.global = { trace_level: ['OFF'], trace_rate: '1000', trace_count: '-1', log_frequency: '0', trace_file: '', ...init };
  }

  /** Start-up settings (--trace-config), the only way to name the trace file. */
  configure(init: Partial<Omit<TraceSettingsValues, 'trace_mode'>>): void {
    const { trace_file, ...rest } = init;
    if (trace_file !== undefined) this.global.trace_file = trace_file;
    this.update(undefined, rest);
  }

  get(model?: string): TraceSettingsValues {
    const own = model ? this.models.get(model) : undefined;
    const pick = <K extends Key>(k: K): TraceSettingsValues[K] => (own?.[k] ?? this.global[k]) as TraceSettingsValues[K];
    return {
      trace_level: pick('trace_level'),
      trace_rate: pick('trace_rate'),
      trace_count: pick('trace_count'),
      log_frequency: pick('log_frequency'),
      trace_file: this.global.trace_file,
      trace_mode: 'triton',
    };
  }

  update(model: string | undefined, changes: Record<string, TraceChange>): TraceSettingsValues {
    const next: Partial<Record<Key, string | string[] | null>> = {};
    for (const [key, raw] of Object.entries(changes)) {
      if (key === 'trace_file') throw new LabError('UNSUPPORTED', 'trace file location can not be updated through network protocol');
      if (key === 'trace_mode') continue;
      if (key === 'trace_level') {
        if (raw === null) next.trace_level = null;
        else {
          const levels = Array.isArray(raw) ? raw : [raw];
          if (levels.includes('OFF') && levels.length > 1) throw new LabError('INVALID_ARG', "Expect only one trace level 'OFF' is specified");
          const known = levels.filter((l) => l === 'OFF' || l === 'TIMESTAMPS' || l === 'TENSORS');
          if (known.length > 0) next.trace_level = known.includes('OFF') ? ['OFF'] : ['TIMESTAMPS', 'TENSORS'].filter((l) => (known as string[]).includes(l));
        }
        continue;
      }
      if (key !== 'trace_rate' && key !== 'trace_count' && key !== 'log_frequency') continue;
      if (raw === null) {
        next[key] = null;
        continue;
      }
      const text = Array.isArray(raw) ? (raw[0] ?? '') : raw;
      const min = key === 'trace_count' ? -1 : 0;
      next[key] = String(parseInteger(key, text, min, key === 'trace_count' ? I32_MAX : U32_MAX));
    }
    if (model) {
      const own = { ...(this.models.get(model) ?? {}) };
      for (const [k, v] of Object.entries(next) as [Key, string | string[] | null][]) {
        if (v === null) delete own[k];
        else own[k] = v;
      }
      this.models.set(model, own);
    } else {
      for (const [k, v] of Object.entries(next) as [Key, string | string[] | null][]) {
        // Clearing a global value restores Triton's default.
        const defaults: Record<Key, string | string[]> = { trace_level: ['OFF'], trace_rate: '1000', trace_count: '-1', log_frequency: '0' };
        (this.global as Record<Key, string | string[]>)[k] = v ?? defaults[k];
      }
    }
    // New settings start counting afresh.
    this.sampling.clear();
    return this.get(model);
  }

  /** Whether this request of `model` is traced, and at which detail. */
  sample(model: string): { tensors: boolean } | undefined {
    const s = this.get(model);
    if (s.trace_level.includes('OFF') || s.trace_level.length === 0) return undefined;
    const rate = Number(s.trace_rate);
    if (rate === 0) return undefined;
    let st = this.sampling.get(model);
    if (!st) {
      st = { seen: 0, left: Number(s.trace_count) };
      this.sampling.set(model, st);
    }
    st.seen++;
    if ((st.seen - 1) % rate !== 0 || st.left === 0) return undefined;
    if (st.left > 0) st.left--;
    return { tensors: s.trace_level.includes('TENSORS') };
  }

  /** Turns a finished trace into Triton's records and writes them out when log_frequency says so. */
  record(trace: Trace, model: string): void {
    const ids = new Map<number, number>();
    for (const span of trace.spans) ids.set(span.id, this.nextId++);
    this.pending.push(...traceRecords(trace.spans, trace.originNs, (id) => ids.get(id)!));
    const every = Number(this.get(model).log_frequency);
    if (every > 0 && trace.spans.length > 0 && this.pending.filter((r) => r.model_name !== undefined && r.parent_id === undefined).length >= every) void this.flush();
  }

  /** Writes the traces collected so far: trace_file, or trace_file.<n> when written in parts as Triton does. */
  flush(): Promise<void> {
    const file = this.global.trace_file;
    const records = this.pending;
    this.pending = [];
    if (!file || records.length === 0) return this.chain;
    const every = Number(this.global.log_frequency);
    const target = every > 0 ? `${file}.${this.written++}` : file;
    this.chain = this.chain.then(() => fs.writeFile(target, JSON.stringify(records)).catch(() => undefined));
    return this.chain;
  }

  get enabledAnywhere(): boolean {
    return !this.global.trace_level.includes('OFF') || [...this.models.values()].some((m) => m.trace_level && !(m.trace_level as string[]).includes('OFF'));
  }
}
