/**
 * The `sequence_id` request parameter of an HTTP/JSON request, read as Triton reads it
 * (http_server.cc ParseJsonTritonParams: MemberAsUInt, else MemberAsString): an unsigned 64-bit
 * integer or a string. JSON.parse rounds integers beyond 2^53, so for those the number's own text
 * is found in the header (a linear pass, only then) and read as a BigInt, never through a double.
 */
import { LabError } from '../../../engine/errors';

const UINT64_MAX = (1n << 64n) - 1n;

function notParsed(): LabError {
  // MemberAsUInt failed, then MemberAsString: its error, prefixed by RETURN_MSG_IF_ERR.
  return new LabError('INTERNAL', "Unable to parse 'sequence_id': attempt to access JSON non-string as string");
}

/**
 * The correlation id from the parsed value; `rawText` gives the JSON header's text, read only when
 * the value is an integer too large for a double to hold exactly.
 */
export function sequenceIdOf(v: unknown, rawText: () => string): bigint | string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') {
    if (v < 0n || v > UINT64_MAX) throw notParsed();
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw notParsed();
  if (Number.isSafeInteger(v)) return BigInt(v);
  const token = rawSequenceIdToken(rawText());
  if (token === undefined || !/^\d+$/.test(token)) throw notParsed();
  const id = BigInt(token);
  // RapidJSON holds a larger integer as a double, which MemberAsUInt refuses.
  if (id > UINT64_MAX) throw notParsed();
  return id;
}

interface Frame {
  object: boolean;
  /** The member whose value is being read (objects only). */
  key?: string;
  expectKey: boolean;
}

/** The end (exclusive) of the JSON string starting at `i` (a quote). */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** The end (exclusive) of a bare token (number or literal) starting at `i`. */
function tokenEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && /[-+.\w]/.test(text[j]!)) j++;
  return j;
}

/** In valid JSON, the text of the scalar at `.parameters.sequence_id` of the root object (the last one, as JSON.parse keeps). */
export function rawSequenceIdToken(text: string): string | undefined {
  const stack: Frame[] = [];
  let found: string | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push({ object: c === '{', expectKey: c === '{' });
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',' || c === ':') {
      if (top?.object) top.expectKey = c === ',';
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (top?.object && top.expectKey) top.key = JSON.parse(text.slice(i, end)) as string;
      i = end;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      const end = tokenEnd(text, i);
      const [root, params] = stack;
      if (stack.length === 2 && root?.object && root.key === 'parameters' && params?.object && params.key === 'sequence_id') found = text.slice(i, end);
      i = Math.max(end, i + 1);
    }
  }
  return found;
}
