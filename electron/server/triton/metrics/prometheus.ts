/**
 * Prometheus text exposition format, version 0.0.4: a small writer (one
 * `# HELP` and `# TYPE` line per family, then its samples) and a strict
 * reader of the same format, used by the tests and handy for tools.
 *
 * Labels print in the order given; values print like prometheus-cpp's
 * serializer (Triton's), with 16 significant digits, so counters read as
 * plain integers.
 */

export type MetricType = 'counter' | 'gauge' | 'summary' | 'histogram' | 'untyped';

/** Label name → value, in print order. */
export type Labels = ReadonlyArray<readonly [string, string]>;

export interface Sample {
  /** Appended to the family name, e.g. `_count`, `_sum`, `_bucket`. */
  suffix?: string;
  labels?: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

export function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** A sample value: integers as integers, others with 16 significant digits (like C's %.16g), NaN and ±Inf as Prometheus spells them. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v === 0 ? 0 : v);
  const s = v.toPrecision(16);
  const e = s.indexOf('e');
  const mantissa = e < 0 ? s : s.slice(0, e);
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return e < 0 ? trimmed : `${trimmed}${s.slice(e)}`;
}

/** The exposition text of `families`; a family without samples is left out (as prometheus-cpp does). */
export function renderExposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name '${f.name}'`);
    if (f.samples.length === 0) continue;
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    out.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const name = f.name + (s.suffix ?? '');
      if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name '${name}'`);
      const labels = s.labels ?? [];
      for (const [k] of labels) if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`invalid label name '${k}' in ${name}`);
      const body = labels.length > 0 ? `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}` : '';
      out.push(`${name}${body} ${formatValue(s.value)}`);
    }
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  /** Family name → its HELP text (unescaped) and TYPE. */
  families: Map<string, { help?: string; type?: MetricType }>;
  samples: ParsedSample[];
}

const TYPES = new Set<string>(['counter', 'gauge', 'summary', 'histogram', 'untyped']);

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value '${text}'`);
  return Number(text);
}

/** Reads exposition text back, strictly: any line that is not a comment, a HELP/TYPE line or a well-formed sample throws. */
export function parseExposition(text: string): ParsedExposition {
  const families = new Map<string, { help?: string; type?: MetricType }>();
  const samples: ParsedSample[] = [];
  const family = (name: string): { help?: string; type?: MetricType } => {
    let f = families.get(name);
    if (!f) families.set(name, (f = {}));
    return f;
  };
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw === '') return;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(raw);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === 'HELP') {
        if (f.help !== undefined) throw new Error(`line ${n}: second HELP for ${meta[2]}`);
        f.help = meta[3]!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
      } else {
        if (f.type !== undefined) throw new Error(`line ${n}: second TYPE for ${meta[2]}`);
        if (!TYPES.has(meta[3]!)) throw new Error(`line ${n}: unknown type '${meta[3]}'`);
        f.type = meta[3] as MetricType;
      }
      return;
    }
    if (raw.startsWith('#')) return;
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(raw);
    if (!head) throw new Error(`line ${n}: not a sample: ${raw}`);
    let pos = head[0].length;
    const labels: Record<string, string> = {};
    if (raw[pos] === '{') {
      pos++;
      while (raw[pos] !== '}') {
        const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(raw.slice(pos));
        if (!m) throw new Error(`line ${n}: bad label at column ${pos + 1}`);
        pos += m[0].length;
        let value = '';
        for (;;) {
          const c = raw[pos++];
          if (c === undefined) throw new Error(`line ${n}: unterminated label value`);
          if (c === '"') break;
          if (c === '\\') {
            const esc = raw[pos++];
            if (esc === 'n') value += '\n';
            else if (esc === '\\' || esc === '"') value += esc;
            else throw new Error(`line ${n}: bad escape '\\${esc ?? ''}'`);
          } else value += c;
        }
        if (m[1]! in labels) throw new Error(`line ${n}: label '${m[1]}' twice`);
        labels[m[1]!] = value;
        if (raw[pos] === ',') pos++;
        else if (raw[pos] !== '}') throw new Error(`line ${n}: expected ',' or '}' at column ${pos + 1}`);
      }
      pos++;
    }
    const rest = /^ (\S+)( -?\d+)?$/.exec(raw.slice(pos));
    if (!rest) throw new Error(`line ${n}: bad sample tail: ${raw}`);
    samples.push({ name: head[1]!, labels, value: parseValue(rest[1]!, n) });
  });
  return { families, samples };
}
