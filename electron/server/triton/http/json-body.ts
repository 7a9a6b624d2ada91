/**
 * The JSON part of a request, parsed as Triton's TritonJson does: size
 * limited by --http-max-input-size, NaN and Infinity accepted as number
 * literals (RapidJSON's kParseNanAndInfFlag), errors worded like RapidJSON's
 * "failed to parse the request JSON buffer: ... at <offset>".
 */
import { LabError } from '../../../engine/errors';

const decoder = new TextDecoder();

export function parseJsonBody(body: Uint8Array, length: number, maxBytes: number): unknown {
  if (length > maxBytes) {
    throw new LabError(
      'INVALID_ARG',
      `request JSON size of ${length} bytes exceeds the maximum allowed input size of ${maxBytes} bytes. Use --http-max-input-size to increase the limit.`,
    );
  }
  if (length > body.byteLength) throw new LabError('INVALID_ARG', `unexpected size for request JSON, expecting ${length - body.byteLength} more bytes`);
  const text = decoder.decode(body.subarray(0, length));
  try {
    return JSON.parse(text);
  } catch (err) {
    const lenient = withNonFiniteMarkers(text);
    if (lenient !== text) {
      try {
        return JSON.parse(lenient);
      } catch {
        /* report the original error */
      }
    }
    throw parseError(text, err);
  }
}

function parseError(text: string, err: unknown): LabError {
  const msg = err instanceof Error ? err.message : String(err);
  const at = /position (\d+)/.exec(msg)?.[1];
  const offset = at !== undefined ? Number(at) : text.length;
  const what = text.trim() === '' ? 'The document is empty.' : /Unexpected end/.test(msg) ? 'Missing a closing bracket or brace.' : 'Invalid value.';
  return new LabError('INTERNAL', `failed to parse the request JSON buffer: ${what} at ${offset}`);
}

/** Replaces bare NaN / Infinity / -Infinity tokens (outside strings) with marker strings the data reader understands. */
function withNonFiniteMarkers(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const token = ['-Infinity', 'Infinity', 'NaN'].find((t) => text.startsWith(t, i));
    if (token) {
      out += `"${token}"`;
      i += token.length - 1;
      continue;
    }
    out += c;
  }
  return out;
}
