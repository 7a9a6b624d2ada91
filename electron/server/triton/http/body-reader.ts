/**
 * The endpoint's body limits applied to a request: which cap a body gets
 * (a JSON body or a raw input: --http-max-input-size; a body with binary
 * tensor data: the body cap; a compressed body: what could inflate to the
 * input cap), Triton's wording when one is passed, and the server-wide
 * budget (body.ts reads within them).
 */
import type http from 'node:http';
import { LabError } from '../../../engine/errors';
import { type BodyBudget, type BodyRules, checkEncoding, inflatedTooLarge, readBody } from './body';
import type { Exchange } from './exchange';
import { parseJsonBody } from './json-body';

/** JSON, raw input (Inference-Header-Content-Length: 0) or JSON followed by binary tensor data. */
export type BodyKind = 'json' | 'raw' | 'binary';

export interface BodyLimits {
  maxInputBytes: number;
  maxBodyBytes: number;
  budget: BodyBudget;
}

export interface BodyReader {
  /** The whole body, within the caps of its kind. */
  body(ex: Exchange, kind: BodyKind): Promise<Buffer>;
  /** A body that may be empty (undefined); otherwise a JSON object. `what` names the request in the error. */
  json(ex: Exchange, what: string): Promise<Record<string, unknown> | undefined>;
}

/** The error for a body over its cap (Triton's wording for JSON and raw input); `n` is unknown for chunked bodies. */
function tooLargeError(limits: BodyLimits, kind: BodyKind, compressed: boolean, n: number | undefined): LabError {
  const { maxInputBytes, maxBodyBytes } = limits;
  const over = (size: number | undefined, max: number): string => (size === undefined ? `more than ${max}` : String(size));
  if (compressed) return inflatedTooLarge(maxInputBytes);
  if (kind === 'raw') {
    return new LabError(
      'INVALID_ARG',
      `Raw input has a byte_size (${over(n, maxInputBytes)} bytes) that exceeds the maximum allowed value of ${maxInputBytes} bytes. Use --http-max-input-size to increase the limit.`,
    );
  }
  if (kind === 'binary') {
    return new LabError(
      'INVALID_ARG',
      `request body ${n === undefined ? '' : `of ${n} bytes `}exceeds the maximum allowed size of ${maxBodyBytes} bytes for a request with binary data. Use --http-max-body-size to increase the limit.`,
    );
  }
  return new LabError(
    'INVALID_ARG',
    `request JSON size ${n === undefined ? '' : `of ${n} bytes `}exceeds the maximum allowed input size of ${maxInputBytes} bytes. Use --http-max-input-size to increase the limit.`,
  );
}

export function bodyReader(limits: BodyLimits): BodyReader {
  const { maxInputBytes, maxBodyBytes, budget } = limits;
  const busy = (): LabError => new LabError('UNAVAILABLE', `Server is busy: request bodies being received already hold ${budget.inUse} of ${budget.limit} bytes; retry later`);
  // A compressed body is refused once it could only inflate past the cap (stored deflate blocks add a little).
  const compressedWire = maxInputBytes + Math.ceil(maxInputBytes / 1000) + 1024;

  /** The caps of a body: JSON, raw input or binary data. */
  const rulesFor = (req: http.IncomingMessage, kind: BodyKind): BodyRules => {
    const compressed = checkEncoding(req) !== undefined;
    const tooLarge = (n: number | undefined): LabError => tooLargeError(limits, kind, compressed, n);
    const wire = compressed ? compressedWire : kind === 'binary' ? maxBodyBytes : maxInputBytes;
    return { maxWireBytes: wire, maxInflatedBytes: maxInputBytes, tooLarge, busy };
  };

  const body = (ex: Exchange, kind: BodyKind): Promise<Buffer> => readBody(ex.req, rulesFor(ex.req, kind), ex.reservation, ex.outcome);
  return {
    body,
    json: async (ex, what) => {
      const b = await body(ex, 'json');
      if (b.byteLength === 0) return undefined;
      const v = parseJsonBody(b, b.byteLength, maxInputBytes);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LabError('INTERNAL', `failed to parse the ${what} request JSON: expected an object`);
      return v as Record<string, unknown>;
    },
  };
}
