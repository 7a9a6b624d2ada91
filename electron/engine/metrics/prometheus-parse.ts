/**
 * A reader of the Prometheus text exposition format (version 0.0.4, what Triton's `/metrics`
 * serves through prometheus-cpp), for the metrics view's scrapes of servers the lab does not
 * control. Written here rather than taken from npm: the one maintained parser
 * (parse-prometheus-text-format) builds whole objects per family without bounds, and this reader
 * must treat the text as hostile:
 *
 * - bounded: total size, line length, number of samples and labels per sample (PROM_LIMITS); a
 *   scrape over a bound is refused as a whole, never truncated into wrong figures;
 * - strict, as Prometheus itself is: one malformed line fails the scrape with its line number
 *   (bad names, unterminated or badly escaped label values, a label twice, a bad value);
 * - values as the format spells them: floats, `NaN`, `+Inf`/`-Inf` (the caller decides what a
 *   non-finite counter means), an optional integer timestamp (ignored);
 * - label values unescaped (`\\`, `\"`, `\n`); HELP and TYPE comments read, other comments skipped.
 */
import { LabError } from '../errors';

export interface PromSample {
  /** The sample's metric name as printed (with `_sum`, `_count`, `_bucket` suffixes). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromExposition {
  /** Family name → its TYPE (counter, gauge, summary, histogram, untyped), when declared. */
  types: Map<string, string>;
  samples: PromSample[];
}

export interface PromLimits {
  maxChars: number;
  maxLineChars: number;
  maxSamples: number;
  maxLabels: number;
}

/** Triton's own export for hundreds of models is well under a megabyte; these leave room and stop abuse. */
export const PROM_LIMITS: PromLimits = { maxChars: 8 * 1024 * 1024, maxLineChars: 64 * 1024, maxSamples: 200_000, maxLabels: 64 };

const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'untyped']);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function bad(line: number, what: string): LabError {
  return new LabError('UNAVAILABLE', `the metrics text is not valid Prometheus text (line ${line}: ${what})`, { reason: 'REMOTE_PROTOCOL' });
}

/** A sample value as the format spells it. */
export function parsePromValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return FLOAT.test(text) ? Number(text) : undefined;
}

/** One label value from `"` (exclusive) on: the value and the position after its closing quote. */
function readQuoted(raw: string, start: number, n: number): [string, number] {
  let value = '';
  let pos = start;
  for (;;) {
    const c = raw[pos++];
    if (c === undefined) throw bad(n, 'unterminated label value');
    if (c === '"') return [value, pos];
    if (c !== '\\') {
      value += c;
      continue;
    }
    const esc = raw[pos++];
    if (esc === 'n') value += '\n';
    else if (esc === '\\' || esc === '"') value += esc;
    else throw bad(n, `bad escape '\\${esc ?? ''}' in a label value`);
  }
}

/** `{a="x",b="y"}` from `pos` (at `{`); returns the labels and the position after `}`. */
function readLabels(raw: string, start: number, n: number, limits: PromLimits): [Record<string, string>, number] {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  let pos = start + 1;
  const skipSpaces = (): void => {
    while (raw[pos] === ' ' || raw[pos] === '\t') pos++;
  };
  for (skipSpaces(); raw[pos] !== '}'; skipSpaces()) {
    const m = LABEL.exec(raw.slice(pos, pos + 1024));
    if (!m) throw bad(n, `bad label name at column ${pos + 1}`);
    pos += m[0].length;
    skipSpaces();
    if (raw[pos] !== '=') throw bad(n, `expected '=' at column ${pos + 1}`);
    pos++;
    skipSpaces();
    if (raw[pos] !== '"') throw bad(n, `expected '"' at column ${pos + 1}`);
    const [value, next] = readQuoted(raw, pos + 1, n);
    pos = next;
    if (Object.prototype.hasOwnProperty.call(labels, m[0])) throw bad(n, `label '${m[0]}' twice`);
    if (++count > limits.maxLabels) throw bad(n, `more than ${limits.maxLabels} labels`);
    labels[m[0]] = value;
    skipSpaces();
    if (raw[pos] === ',') pos++;
    else if (raw[pos] !== '}') throw bad(n, `expected ',' or '}' at column ${pos + 1}`);
  }
  return [{ ...labels }, pos + 1];
}

/** One sample line. */
function readSample(raw: string, n: number, limits: PromLimits): PromSample {
  const head = NAME.exec(raw.slice(0, 1024));
  if (!head) throw bad(n, 'not a sample');
  let pos = head[0].length;
  let labels: Record<string, string> = {};
  if (raw[pos] === '{') [labels, pos] = readLabels(raw, pos, n, limits);
  const rest = raw
    .slice(pos)
    .trim()
    .split(/[ \t]+/);
  if (pos < raw.length && raw[pos] !== ' ' && raw[pos] !== '\t') throw bad(n, `unexpected '${raw[pos]}' after the name`);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw bad(n, 'expected a value and an optional timestamp');
  const value = parsePromValue(rest[0]!);
  if (value === undefined) throw bad(n, `bad value '${rest[0]!.slice(0, 40)}'`);
  if (rest[1] !== undefined && !/^-?\d{1,19}$/.test(rest[1])) throw bad(n, `bad timestamp '${rest[1].slice(0, 40)}'`);
  return { name: head[0], labels, value };
}

/** `# TYPE name kind`; HELP and other comments are skipped (HELP text is not shown). */
function readComment(raw: string, n: number, types: Map<string, string>): void {
  const m = /^#[ \t]+TYPE[ \t]+(\S+)[ \t]+(\S+)[ \t]*$/.exec(raw);
  if (!m) return;
  const [, name, kind] = m;
  if (!NAME.test(name!) || NAME.exec(name!)![0] !== name) throw bad(n, `bad family name in TYPE`);
  if (!TYPES.has(kind!)) throw bad(n, `unknown type '${kind!.slice(0, 40)}'`);
  if (types.has(name!)) throw bad(n, `second TYPE for ${name}`);
  types.set(name!, kind!);
}

/** Reads exposition text; throws a LabError (reason REMOTE_PROTOCOL) on the first malformed line or a bound passed. */
export function parsePrometheusText(text: string, limits: PromLimits = PROM_LIMITS): PromExposition {
  if (text.length > limits.maxChars) throw new LabError('UNAVAILABLE', `the metrics text is larger than ${limits.maxChars} characters`, { reason: 'REMOTE_PROTOCOL' });
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  let n = 0;
  for (let start = 0; start < text.length;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    n++;
    if (end - start > limits.maxLineChars) throw bad(n, `line longer than ${limits.maxLineChars} characters`);
    const raw = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    if (raw.trim() === '') continue;
    if (raw.trimStart().startsWith('#')) {
      readComment(raw.trimStart(), n, types);
      continue;
    }
    if (samples.length >= limits.maxSamples) throw bad(n, `more than ${limits.maxSamples} samples`);
    samples.push(readSample(raw.trimStart(), n, limits));
  }
  return { types, samples };
}
