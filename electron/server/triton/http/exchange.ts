/**
 * One HTTP request as the endpoint's handlers see it (the request, its
 * response, the share of the body budget it holds), and the reply a handler
 * returns: a status, a body and headers, written by server.ts. Errors are
 * answered as Triton answers them: {"error": "<message>"} with the status
 * of the error's code.
 */
import type http from 'node:http';
import { LabError, toLabError } from '../../../engine/errors';
import { httpStatusOf } from '../../http-status';
import type { BodyOutcome, Reservation } from './body';

/** One request and what it holds while it is answered. */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  reservation: Reservation;
  outcome: BodyOutcome;
  corsOrigin?: string;
}

export class HttpReply {
  constructor(
    readonly status: number,
    readonly body: string | Uint8Array[] = '',
    readonly headers: Record<string, string> = {},
    /**
     * Compressed when the client accepts gzip or deflate. Triton compresses inference replies only
     * (http_server.cc reads the response compression type in HandleInfer alone), and
     * tritonclient.http.aio reads every other reply uncompressed.
     */
    readonly compress = false,
  ) {}
}

export const json = (value: unknown, status = 200): HttpReply => new HttpReply(status, JSON.stringify(value), { 'Content-Type': 'application/json' });
export const errorReply = (message: string, status: number): HttpReply => json({ error: message }, status);
export const fromError = (err: unknown): HttpReply => {
  const e = toLabError(err);
  return errorReply(e.message, httpStatusOf(e.code));
};
export const METHOD_NOT_ALLOWED = (): HttpReply => errorReply('Method Not Allowed', 405);
/** 200 with an empty body, as Triton answers a load, an unload or an unregister. */
export const EMPTY_OK = (): HttpReply => new HttpReply(200, '', { 'Content-Type': 'application/json' });

/** A percent-encoded path segment (a model name); malformed encodings are the client's error. */
export function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new LabError('INVALID_ARG', `malformed percent-encoding in the request path: '${part}'`);
  }
}
