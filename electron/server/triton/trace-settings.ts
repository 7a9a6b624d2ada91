/**
 * Triton's trace extension: settings per server and per model (GET/POST
 * /v2[/models/{m}]/trace/setting, gRPC TraceSetting), with Triton's value
 * forms (strings, trace_level a list) and errors, sampling every
 * trace_rate-th request up to trace_count, and trace records written to
 * trace_file as Triton's JSON (one object naming the model, one with its
 * timestamps): every log_frequency traces to trace_file.<n>, else appended to
 * one JSON array in trace_file (on a timer and at shutdown, as Triton
 * appends its single file). Records waiting in memory are bounded in number
 * and in bytes (request ids are cut to 256 characters, trace-export.ts; a
 * record's size is estimated from its strings): with a file they are written
 * out early, without one the oldest are dropped, counted and reported in the log.
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

/** Trace records (two per span) kept in memory at most, waiting for the file or with no file to go to. */
export const MAX_PENDING_RECORDS = 20_000;
/** The most those records may take, as recordBytes estimates them (ids are cut, but model names are not). */
export const MAX_PENDING_BYTES = 16 * 2 ** 20;

/** A record's memory, estimated: the object and its numbers, and two bytes a character of its strings. */
export function recordBytes(r: TraceRecord): number {
  return 96 + 2 * ((r.model_name?.length ?? 0) + (r.request_id?.length ?? 0)) + 64 * (r.timestamps?.length ?? 0);
}
/** How often records go to a trace file set without log_frequency. */
export const FLUSH_INTERVAL_MS = 2000;
/** Dropped records are reported at most this often. */
const REPORT_MS = 10_000;

export interface TraceSettingsOptions {
  log?: (level: 'warning' | 'error', message: string) => void;
  maxPendingRecords?: number;
  maxPendingBytes?: number;
  flushIntervalMs?: number;
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
  /** recordBytes of `pending`, summed. */
  private pendingBytes = 0;
  /** Traces in `pending` since the last indexed file, for log_frequency. */
  private pendingTraces = 0;
  private written = 0;
  private nextId = 1;
  private chain: Promise<void> = Promise.resolve();
  /** The single trace file has its opening '[' (and so needs its closing ']' at close). */
  private fileOpen = false;
  private timer: NodeJS.Timeout | undefined;
  /** Records dropped for want of a trace file: all of them, and those already reported. */
  private droppedTotal = 0;
  private droppedReported = 0;
  private lastReport = 0;
  private closed = false;

  constructor(
    init: Partial<Omit<TraceSettingsValues, 'trace_mode'>> = {},
    private readonly opts: TraceSettingsOptions = {},
  ) {
    this.global = { trace_level: ['OFF'], trace_rate: '1000', trace_count: '-1', log_frequency: '0', trace_file: '', ...init };
  }

  /** Trace records waiting in memory (tests and metrics). */
  get pendingRecords(): number {
    return this.pending.length;
  }

  /** Their estimated bytes (recordBytes). */
  get pendingRecordBytes(): number {
    return this.pendingBytes;
  }

  /** Trace records dropped since start because no trace file was set. */
  get dropped(): number {
    return this.droppedTotal;
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

  /** Turns a finished trace into Triton's records and writes them out when log_frequency (or the memory bound) says so. */
  record(trace: Trace, model: string): void {
    const ids = new Map<number, number>();
    for (const span of trace.spans) ids.set(span.id, this.nextId++);
    for (const r of traceRecords(trace.spans, trace.originNs, (id) => ids.get(id)!)) {
      this.pending.push(r);
      this.pendingBytes += recordBytes(r);
    }
    if (trace.spans.length > 0) this.pendingTraces++;
    const every = Number(this.get(model).log_frequency);
    if (every > 0 && this.pendingTraces >= every) {
      void this.flush();
      return;
    }
    if (this.pending.length > this.max || this.pendingBytes > this.maxBytes) {
      if (this.global.trace_file) void this.flush();
      else this.dropOldest();
    }
    this.startTimer();
  }

  private get max(): number {
    return Math.max(2, this.opts.maxPendingRecords ?? MAX_PENDING_RECORDS);
  }

  private get maxBytes(): number {
    return this.opts.maxPendingBytes ?? MAX_PENDING_BYTES;
  }

  /**
   * No file to write to: the oldest records go, whole span pairs, until both bounds are down to
   * nine tenths (so this runs once in a tenth of the bound, not at every record); counted and reported.
   */
  private dropOldest(): void {
    const keep = Math.floor((this.max * 9) / 10);
    const keepBytes = Math.floor((this.maxBytes * 9) / 10);
    const n = this.pending.length;
    let cut = 0;
    while (cut < n && (n - cut > keep || this.pendingBytes > keepBytes)) {
      this.pendingBytes -= recordBytes(this.pending[cut]!) + (cut + 1 < n ? recordBytes(this.pending[cut + 1]!) : 0);
      cut = Math.min(n, cut + 2);
    }
    this.pending.splice(0, cut);
    this.droppedTotal += cut;
    this.reportDropped(false);
  }

  private reportDropped(force: boolean): void {
    const n = this.droppedTotal - this.droppedReported;
    if (n === 0 || (!force && Date.now() - this.lastReport < REPORT_MS)) return;
    this.droppedReported = this.droppedTotal;
    this.lastReport = Date.now();
    this.opts.log?.(
      'warning',
      `dropped ${n} trace records (${this.droppedTotal} in all): no trace file is set, and at most ${this.max} records (${+(this.maxBytes / 2 ** 20).toFixed(2)} MiB) are kept in memory`,
    );
  }

  /** With a single trace file (no log_frequency), records go out every FLUSH_INTERVAL_MS instead of piling up until shutdown. */
  private startTimer(): void {
    if (this.timer || this.closed || !this.global.trace_file || Number(this.global.log_frequency) > 0) return;
    this.timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs ?? FLUSH_INTERVAL_MS);
    this.timer.unref?.();
  }

  /**
   * Writes the traces collected so far: to trace_file.<n> with log_frequency (one JSON array
   * each, as Triton), else appended to the one JSON array in trace_file (closed by close()).
   */
  flush(): Promise<void> {
    const file = this.global.trace_file;
    const records = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingTraces = 0;
    if (!file || records.length === 0) return this.chain;
    const every = Number(this.global.log_frequency);
    const write = every > 0 ? this.writeIndexed(file, records) : this.append(file, records);
    this.chain = this.chain.then(write).catch((err: unknown) => this.opts.log?.('error', `failed writing trace file: ${err instanceof Error ? err.message : String(err)}`));
    return this.chain;
  }

  private writeIndexed(file: string, records: TraceRecord[]): () => Promise<void> {
    const target = `${file}.${this.written++}`;
    return () => fs.writeFile(target, JSON.stringify(records));
  }

  private append(file: string, records: TraceRecord[]): () => Promise<void> {
    const body = JSON.stringify(records).slice(1, -1);
    const first = !this.fileOpen;
    this.fileOpen = true;
    return () => (first ? fs.writeFile(file, `[${body}`) : fs.appendFile(file, `,${body}`));
  }

  /** Shutdown: writes what is left and closes the trace file's JSON array; reports dropped records. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    const file = this.global.trace_file;
    if (this.fileOpen && file) {
      this.fileOpen = false;
      this.chain = this.chain.then(() => fs.appendFile(file, ']')).catch(() => undefined);
      await this.chain;
    }
    this.reportDropped(true);
  }

  get enabledAnywhere(): boolean {
    return !this.global.trace_level.includes('OFF') || [...this.models.values()].some((m) => m.trace_level && !(m.trace_level as string[]).includes('OFF'));
  }
}
