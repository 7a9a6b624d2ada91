/**
 * How a remote server's failures reach the user: one LabError per way a request can fail, with a
 * `reason` the UI decides on (refused, timed out, TLS, unreachable, not Triton) and a message that
 * says what to do. A server's own error (`{"error": "..."}` over HTTP, a gRPC status) is passed
 * through as it came, its code mapped as Triton maps codes to HTTP statuses and gRPC codes.
 * Header values never appear here: only the URL (checked to hold no credentials) and header names.
 * Messages are bounded (clipLine): a server's own error is passed through, but not at any length.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { type ErrorCode, type ErrorReason, LabError, errorMessage } from '../../engine/errors';
import { clipLine } from '../../engine/backends/log-lines';

/** Node's TLS failures: OpenSSL's certificate verification codes and its protocol errors. */
const TLS_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** Every remote failure; its message cut as a log line is (a server's own error may be a 4 MiB body, and lands in the tree). */
export function remoteError(code: ErrorCode, reason: ErrorReason | undefined, message: string, cause?: unknown): LabError {
  return new LabError(code, clipLine(message), { ...(cause !== undefined ? { cause } : {}), ...(reason ? { reason } : {}) });
}

function errCode(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : '';
}

/** A socket-level failure (node:http/https/tls) of a request to `url`. */
export function transportError(err: unknown, url: string, tls: boolean): LabError {
  if (err instanceof LabError) return err;
  const code = errCode(err);
  const detail = errorMessage(err);
  if (code === 'ECONNREFUSED') return remoteError('UNAVAILABLE', 'REMOTE_REFUSED', `Connection refused by ${url}: is the server running, and is this its port?`, err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `Could not find the host of ${url} (${code}): check the host name`, err);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `${url} cannot be reached from here (${code})`, err);
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    if (/wrong version number|packet length too long|unknown protocol/i.test(detail)) {
      return remoteError('UNAVAILABLE', 'REMOTE_TLS', `TLS with ${url} failed: the server does not speak TLS on this port (use http:// or grpc://)`, err);
    }
    return remoteError('UNAVAILABLE', 'REMOTE_TLS', `TLS with ${url} failed: ${detail} (add its CA file, or, only on a network you trust, turn certificate checks off)`, err);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || detail === 'socket hang up') {
    const hint = tls ? '' : '; if it expects TLS, use https:// (or grpcs://)';
    return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `The server at ${url} closed the connection before it answered${hint}`, err);
  }
  return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `Request to ${url} failed: ${detail}`, err);
}

export function timeoutError(url: string, ms: number): LabError {
  return remoteError('UNAVAILABLE', 'REMOTE_TIMEOUT', `${url} did not answer within ${ms} ms`);
}

export function protocolError(url: string, what: string): LabError {
  return remoteError('UNAVAILABLE', 'REMOTE_PROTOCOL', `${url} does not answer as a Triton server: ${what}`);
}

/** Triton's HTTP statuses back to codes (http_server.cc HttpCodeFromError, inverted). */
export function codeOfHttpStatus(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 503) return 'UNAVAILABLE';
  if (status === 501) return 'UNSUPPORTED';
  if (status === 409) return 'ALREADY_EXISTS';
  if (status >= 500) return 'INTERNAL';
  return 'INVALID_ARG';
}

const GRPC_CODES: Partial<Record<number, ErrorCode>> = {
  [GrpcStatus.CANCELLED]: 'CANCELLED',
  [GrpcStatus.INVALID_ARGUMENT]: 'INVALID_ARG',
  [GrpcStatus.NOT_FOUND]: 'NOT_FOUND',
  [GrpcStatus.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [GrpcStatus.UNIMPLEMENTED]: 'UNSUPPORTED',
  [GrpcStatus.INTERNAL]: 'INTERNAL',
  [GrpcStatus.UNAVAILABLE]: 'UNAVAILABLE',
  [GrpcStatus.RESOURCE_EXHAUSTED]: 'UNAVAILABLE',
  [GrpcStatus.PERMISSION_DENIED]: 'INVALID_ARG',
  [GrpcStatus.UNAUTHENTICATED]: 'INVALID_ARG',
  [GrpcStatus.FAILED_PRECONDITION]: 'INVALID_ARG',
  [GrpcStatus.OUT_OF_RANGE]: 'INVALID_ARG',
};

/**
 * grpc-js reports a connection that never came up as UNAVAILABLE with the socket's error only in
 * its text ("No connection established. Last error: ..."), so that text is the only place the cause
 * can be read from; a server's own UNAVAILABLE (a model not ready) is passed through as it came.
 */
function grpcTransport(details: string, url: string, tls: boolean): LabError | undefined {
  if (/ECONNREFUSED|Connection refused/i.test(details)) return remoteError('UNAVAILABLE', 'REMOTE_REFUSED', `Connection refused by ${url}: is the server running, and is this its gRPC port?`);
  if (/wrong version number|packet length too long/i.test(details)) {
    return remoteError('UNAVAILABLE', 'REMOTE_TLS', `TLS with ${url} failed: the server does not speak TLS on this port (use grpc://)`);
  }
  if (/certificate|self[- ]signed|SSL|TLS|EPROTO|unable to verify/i.test(details)) {
    return remoteError('UNAVAILABLE', 'REMOTE_TLS', `TLS with ${url} failed: ${details} (add its CA file, or, only on a network you trust, turn certificate checks off)`);
  }
  if (/Protocol error/i.test(details)) {
    return remoteError('UNAVAILABLE', 'REMOTE_PROTOCOL', `${url} does not answer as a gRPC server (an HTTP/1 server on this port? then use http://)`);
  }
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed|DNS resolution failed/i.test(details))
    return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `Could not find the host of ${url}: check the host name`);
  if (/EHOSTUNREACH|ENETUNREACH/i.test(details)) return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `${url} cannot be reached from here`);
  if (/No connection established|Connection dropped|ECONNRESET|socket hang up|Connection closed|Received RST_STREAM|GOAWAY/i.test(details)) {
    const hint = tls ? '' : '; if it expects TLS, use grpcs://';
    return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `The server at ${url} closed the connection before it answered (${details})${hint}`);
  }
  return undefined;
}

/** A failed gRPC call as a LabError: transport failures classified, the server's status passed through. */
export function grpcError(err: unknown, url: string, tls: boolean, timeoutMs: number): LabError {
  if (err instanceof LabError) return err;
  const se = err as Partial<ServiceError>;
  if (typeof se.code !== 'number') return transportError(err, url, tls);
  const raw = typeof se.details === 'string' ? se.details : errorMessage(err);
  // grpc-js adds a timestamp and an empty resolution note to connection errors.
  const details = raw.replace(/ \(\d{4}-\d\d-\d\dT[\d:.]+Z\)/, '').replace(/\.? Resolution note: *$/, '');
  if (se.code === GrpcStatus.DEADLINE_EXCEEDED) return timeoutError(url, timeoutMs);
  // grpc-js's own refusal of an answer above the channel's receive limit (the server's would name its limit).
  if (se.code === GrpcStatus.RESOURCE_EXHAUSTED && /^Received message larger than max/.test(details)) {
    return remoteError('UNAVAILABLE', 'REMOTE_PROTOCOL', `The answer from ${url} is larger than 64 MiB; not read (${details})`, err);
  }
  if (se.code === GrpcStatus.UNAVAILABLE || se.code === GrpcStatus.INTERNAL || se.code === GrpcStatus.UNKNOWN) {
    const transport = grpcTransport(details, url, tls);
    if (transport) return transport;
  }
  return remoteError(GRPC_CODES[se.code] ?? 'UNKNOWN', undefined, details, err);
}
