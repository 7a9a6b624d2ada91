/**
 * The JSON part of a request, parsed as Triton's TritonJson does (RapidJSON
 * with kParseNanAndInfFlag): size limited by --http-max-input-size, NaN and
 * Infinity (also Inf, -Inf, -NaN) accepted as numbers, errors worded as
 * RapidJSON words them, "failed to parse the request JSON buffer: <what> at
 * <byte offset>". Linear in the size of the body: JSON.parse first; only
 * when it fails does one pass over the bytes find RapidJSON's first error
 * or, if there is none, the non-finite numbers, which are then replaced by
 * marker strings (built from slices) for a second JSON.parse.
 *
 * With `exactIntegers` (inference requests), integers inside arrays that a double cannot hold
 * (beyond 2^53, within int64/uint64 as RapidJSON stores them) come back as bigints, so INT64 and
 * UINT64 data and shapes keep every digit. Only a body with a run of 16 digits takes that path: one
 * more pass of the scanner, a second JSON.parse of the body with those integers as strings behind
 * a random tag (so no string of the request can pass for one), then one walk that turns them into
 * bigints. No eval, linear, bounded by the body's size.
 */
import { randomBytes } from 'node:crypto';
import { LabError } from '../../../engine/errors';

const decoder = new TextDecoder();

/** What the data reader (infer-request.ts) takes for NaN, Infinity and -Infinity; a NUL keeps them apart from real strings. */
export const NON_FINITE_MARKERS: Readonly<Record<string, number>> = {
  '\u0000NaN': Number.NaN,
  '\u0000Infinity': Number.POSITIVE_INFINITY,
  '\u0000-Infinity': Number.NEGATIVE_INFINITY,
};

export interface JsonBodyOptions {
  /** Integers inside arrays beyond 2^53 (and within int64/uint64) as bigints. */
  exactIntegers?: boolean;
}

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);
const INT64_MIN_DIGITS = '9223372036854775808';
const UINT64_MAX_DIGITS = '18446744073709551615';
// An integer part of 16 digits or more (not the digits of a fraction).
const LONG_DIGITS = /(?<![.\d])\d{16}/;

export function parseJsonBody(body: Uint8Array, length: number, maxBytes: number, options: JsonBodyOptions = {}): unknown {
  if (length > maxBytes) {
    throw new LabError('INVALID_ARG', `request JSON size of ${length} bytes exceeds the maximum allowed input size of ${maxBytes} bytes. Use --http-max-input-size to increase the limit.`);
  }
  if (length > body.byteLength) throw new LabError('INVALID_ARG', `unexpected size for request JSON, expecting ${length - body.byteLength} more bytes`);
  const bytes = body.subarray(0, length);
  const text = decoder.decode(bytes);
  const exact = options.exactIntegers === true && LONG_DIGITS.test(text);
  if (!exact) {
    try {
      return JSON.parse(text);
    } catch {
      // RapidJSON's reading decides: its first error, or the non-finite numbers JSON.parse refused.
    }
  }
  const tag = exact ? `\u0000#${randomBytes(6).toString('hex')}#` : undefined;
  if (tag !== undefined) {
    // Valid JSON (the usual case): one pass over the bytes finds the integers. With none (16 digits in
    // a string, say), the text already decoded is parsed and there is nothing to restore.
    const marked = markExactIntegers(bytes, tag);
    const parsed = tryParse(marked === bytes ? text : decoder.decode(marked));
    if (parsed.ok) {
      if (marked !== bytes) restoreExact(parsed.value, tag);
      return parsed.value;
    }
  }
  const scan = new Scanner(bytes, tag).run();
  if ('what' in scan) throw new LabError('INTERNAL', `failed to parse the request JSON buffer: ${scan.what} at ${scan.offset}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(withMarkers(bytes, scan.nonFinite, tag)));
  } catch {
    throw new LabError('INTERNAL', 'failed to parse the request JSON buffer: Invalid value. at 0');
  }
  if (tag !== undefined) restoreExact(parsed, tag);
  return parsed;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Whether the digits at b[from, to) (no sign, no leading zeros) are at most `max`. */
function digitsWithin(b: Uint8Array, from: number, to: number, max: string): boolean {
  const n = to - from;
  if (n !== max.length) return n < max.length;
  for (let k = 0; k < n; k++) {
    const d = b[from + k]! - max.charCodeAt(k);
    if (d !== 0) return d < 0;
  }
  return true;
}

/** Whether the integer token at b[start, end) is one to keep exact: beyond 2^53, within int64 (negative) or uint64. */
function keepExact(b: Uint8Array, start: number, end: number): boolean {
  const negative = b[start] === 0x2d;
  const from = negative ? start + 1 : start;
  return !digitsWithin(b, from, end, MAX_SAFE_DIGITS) && digitsWithin(b, from, end, negative ? INT64_MIN_DIGITS : UINT64_MAX_DIGITS);
}

/** Where the integers to keep exact are in valid JSON bytes: array elements only (after '[' or ','; in an object a key follows a comma), strings skipped whole. */
function exactIntegerTokens(b: Uint8Array): number[] {
  const at: number[] = [];
  let prev = 0;
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c === 0x22) {
      let j = i + 1;
      while (j < b.length && b[j] !== 0x22) j += b[j] === 0x5c ? 2 : 1;
      i = j + 1;
      prev = c;
      continue;
    }
    if (c === 0x2d || isDigit(c)) {
      let j = i + 1;
      let integer = true;
      for (; j < b.length; j++) {
        const d = b[j]!;
        if (isDigit(d)) continue;
        if (d !== 0x2e && d !== 0x65 && d !== 0x45 && d !== 0x2b && d !== 0x2d) break;
        integer = false;
      }
      if (integer && j - i >= 16 && (prev === 0x5b || prev === 0x2c) && keepExact(b, i, j)) at.push(i, j);
      i = j;
      prev = 0x30;
      continue;
    }
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) prev = c;
    i++;
  }
  return at;
}

/** Valid JSON bytes with each integer to keep exact quoted behind `tag` (one copy, segment by segment). */
function markExactIntegers(b: Uint8Array, tag: string): Uint8Array {
  const at = exactIntegerTokens(b);
  if (at.length === 0) return b;
  const open = Buffer.from(JSON.stringify(tag).slice(0, -1));
  const src = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const out = Buffer.allocUnsafe(b.byteLength + (at.length / 2) * (open.byteLength + 1));
  let o = 0;
  let from = 0;
  for (let k = 0; k < at.length; k += 2) {
    o += src.copy(out, o, from, at[k]);
    o += open.copy(out, o);
    o += src.copy(out, o, at[k], at[k + 1]);
    out[o++] = 0x22;
    from = at[k + 1]!;
  }
  o += src.copy(out, o, from);
  return out.subarray(0, o);
}

/** Turns this parse's tagged integers (array elements only) into bigints, walking the document without recursion. */
function restoreExact(root: unknown, tag: string): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'string') {
          if (x.startsWith(tag)) v[i] = BigInt(x.slice(tag.length));
        } else if (typeof x === 'object' && x !== null) stack.push(x);
      }
    } else if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
}

interface NonFinite {
  start: number;
  end: number;
  /** A non-finite number's marker; none for an exact integer (its own digits after the tag). */
  marker?: string;
}

const QUOTE = Buffer.from('"');

/** The body with each non-finite number replaced by its quoted marker (exact integers by the tag and their digits), assembled from slices. */
function withMarkers(bytes: Uint8Array, tokens: NonFinite[], tag: string | undefined): Uint8Array {
  const parts: Uint8Array[] = [];
  const tagged = tag === undefined ? undefined : Buffer.from(JSON.stringify(tag).slice(0, -1));
  let at = 0;
  for (const t of tokens) {
    parts.push(bytes.subarray(at, t.start));
    if (t.marker !== undefined) parts.push(Buffer.from(JSON.stringify(t.marker)));
    else parts.push(tagged!, bytes.subarray(t.start, t.end), QUOTE);
    at = t.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

/** RapidJSON's error texts (error/en.h). */
const MSG = {
  empty: 'The document is empty.',
  notSingular: 'The document root must not be followed by other values.',
  invalid: 'Invalid value.',
  missName: 'Missing a name for object member.',
  missColon: 'Missing a colon after a name of object member.',
  missCommaCurly: "Missing a comma or '}' after an object member.",
  missCommaSquare: "Missing a comma or ']' after an array element.",
  badHex: 'Incorrect hex digit after \\u escape in string.',
  badSurrogate: 'The surrogate pair in string is invalid.',
  badEscape: 'Invalid escape character in string.',
  missQuote: 'Missing a closing quotation mark in string.',
  badEncoding: 'Invalid encoding in string.',
  tooBig: 'Number too big to be stored in double.',
  missFraction: 'Miss fraction part in number.',
  missExponent: 'Miss exponent in number.',
} as const;

class ParseFailure {
  constructor(
    readonly what: string,
    readonly offset: number,
  ) {}
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/**
 * One pass of RapidJSON's GenericReader over the bytes, without recursion (containers on an explicit
 * stack), reporting the first error at the byte offset RapidJSON reports, or the non-finite numbers.
 */
class Scanner {
  private pos = 0;
  private readonly nonFinite: NonFinite[] = [];
  /** Whether the value being read is an array element (where exact integers are marked). */
  private inArray = false;

  /** `tag`: where given, integers in arrays beyond 2^53 (within int64/uint64) are marked with it. */
  constructor(
    private readonly b: Uint8Array,
    private readonly tag?: string,
  ) {}

  run(): { nonFinite: NonFinite[] } | ParseFailure {
    try {
      this.ws();
      if (this.pos >= this.b.length) throw new ParseFailure(MSG.empty, this.pos);
      this.document();
      this.ws();
      if (this.pos < this.b.length) throw new ParseFailure(MSG.notSingular, this.pos);
      return { nonFinite: this.nonFinite };
    } catch (err) {
      if (err instanceof ParseFailure) return err;
      throw err;
    }
  }

  private peek(): number {
    return this.pos < this.b.length ? this.b[this.pos]! : 0;
  }

  private consume(c: number): boolean {
    if (this.peek() !== c || this.pos >= this.b.length) return false;
    this.pos++;
    return true;
  }

  private ws(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  /** Values, with the open arrays ('[') and objects ('{') on a stack. */
  private document(): void {
    const stack: number[] = [];
    for (;;) {
      // At the start of a value.
      const c = this.peek();
      if (c === 0x5b || c === 0x7b) {
        this.pos++;
        this.ws();
        if (this.consume(c + 2)) {
          if (!this.afterValue(stack)) return;
          continue;
        }
        stack.push(c);
        if (c === 0x7b) this.memberName();
        continue;
      }
      this.inArray = stack[stack.length - 1] === 0x5b;
      this.scalar();
      if (!this.afterValue(stack)) return;
    }
  }

  /** After a value: a separator or closers; false when the root value is complete. */
  private afterValue(stack: number[]): boolean {
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return false;
      this.ws();
      if (this.consume(0x2c)) {
        this.ws();
        if (top === 0x7b) this.memberName();
        return true;
      }
      if (this.consume(top + 2)) {
        stack.pop();
        continue;
      }
      throw new ParseFailure(top === 0x7b ? MSG.missCommaCurly : MSG.missCommaSquare, this.pos);
    }
  }

  /** "name" : — leaves the position at the member's value. */
  private memberName(): void {
    if (this.peek() !== 0x22 || this.pos >= this.b.length) throw new ParseFailure(MSG.missName, this.pos);
    this.string();
    this.ws();
    if (!this.consume(0x3a)) throw new ParseFailure(MSG.missColon, this.pos);
    this.ws();
  }

  private scalar(): void {
    const c = this.peek();
    if (c === 0x22 && this.pos < this.b.length) return this.string();
    if (c === 0x6e) return this.literal('ull');
    if (c === 0x74) return this.literal('rue');
    if (c === 0x66) return this.literal('alse');
    this.number();
  }

  private literal(rest: string): void {
    this.pos++;
    for (let i = 0; i < rest.length; i++) if (!this.consume(rest.charCodeAt(i))) throw new ParseFailure(MSG.invalid, this.pos);
  }

  private string(): void {
    this.pos++;
    const b = this.b;
    for (;;) {
      const c = this.peek();
      if (c === 0x5c) {
        const escapeAt = this.pos;
        this.pos++;
        const e = this.peek();
        if (ESCAPES.has(e)) this.pos++;
        else if (e === 0x75) {
          this.pos++;
          this.unicodeEscape(escapeAt);
        } else throw new ParseFailure(MSG.badEscape, escapeAt);
      } else if (c === 0x22 && this.pos < b.length) {
        this.pos++;
        return;
      } else if (c < 0x20) {
        throw new ParseFailure(c === 0 ? MSG.missQuote : MSG.badEncoding, this.pos);
      } else this.pos++;
    }
  }

  private hex4(escapeAt: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.peek();
      if (!isHex(c)) throw new ParseFailure(MSG.badHex, escapeAt);
      v = v * 16 + Number.parseInt(String.fromCharCode(c), 16);
      this.pos++;
    }
    return v;
  }

  private unicodeEscape(escapeAt: number): void {
    const cp = this.hex4(escapeAt);
    if (cp < 0xd800 || cp > 0xdfff) return;
    if (cp > 0xdbff || !this.consume(0x5c) || !this.consume(0x75)) throw new ParseFailure(MSG.badSurrogate, escapeAt);
    const low = this.hex4(escapeAt);
    if (low < 0xdc00 || low > 0xdfff) throw new ParseFailure(MSG.badSurrogate, escapeAt);
  }

  private digits(): void {
    while (isDigit(this.peek()) && this.pos < this.b.length) this.pos++;
  }

  private number(): void {
    const start = this.pos;
    const minus = this.consume(0x2d);
    const c = this.peek();
    if (c === 0x30) this.pos++;
    else if (c >= 0x31 && c <= 0x39) this.digits();
    else if (c === 0x4e || c === 0x49) return this.nonFiniteNumber(start, minus);
    else throw new ParseFailure(MSG.invalid, this.pos);
    let exponent = false;
    const fraction = this.consume(0x2e);
    if (fraction) {
      if (!isDigit(this.peek())) throw new ParseFailure(MSG.missFraction, this.pos);
      this.digits();
    }
    if (this.consume(0x65) || this.consume(0x45)) {
      exponent = true;
      if (!this.consume(0x2b)) this.consume(0x2d);
      if (!isDigit(this.peek())) throw new ParseFailure(MSG.missExponent, this.pos);
      this.digits();
    }
    if (!fraction && !exponent && this.tag !== undefined && this.inArray && this.pos - start >= 16) this.exactInteger(start);
    // Only long mantissas or exponents can overflow a double.
    if ((exponent || this.pos - start > 300) && !Number.isFinite(Number(decoder.decode(this.b.subarray(start, this.pos))))) {
      throw new ParseFailure(MSG.tooBig, start);
    }
  }

  /** An integer token: marked when a double cannot hold it and RapidJSON keeps it as int64 or uint64. */
  private exactInteger(start: number): void {
    if (keepExact(this.b, start, this.pos)) this.nonFinite.push({ start, end: this.pos });
  }

  /** NaN, Inf or Infinity after an optional minus (RapidJSON's kParseNanAndInfFlag). */
  private nonFiniteNumber(start: number, minus: boolean): void {
    let marker: string | undefined;
    if (this.consume(0x4e)) {
      if (this.consume(0x61) && this.consume(0x4e)) marker = '\u0000NaN';
    } else if (this.consume(0x49) && this.consume(0x6e) && this.consume(0x66)) {
      marker = minus ? '\u0000-Infinity' : '\u0000Infinity';
      if (this.peek() === 0x69) {
        for (const ch of 'inity') if (!this.consume(ch.charCodeAt(0))) throw new ParseFailure(MSG.invalid, this.pos);
      }
    }
    if (!marker) throw new ParseFailure(MSG.invalid, this.pos);
    this.nonFinite.push({ start, end: this.pos, marker });
  }
}
