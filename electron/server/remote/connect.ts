/**
 * The host side of remote servers (`HostCapabilities.remote`): `connectTriton` opens a
 * TritonConnection over HTTP(S) or gRPC(+TLS) for a checked URL, and `fetchText` reads a plain-text
 * URL (Prometheus `/metrics`) with the same headers, TLS options, deadline and a size bound. Header
 * names and values are checked before anything is sent; a bad value is named by its header, never
 * shown.
 */
import { X509Certificate } from 'node:crypto';
import type { FetchText, TritonConnectOptions, TritonConnection } from '../../engine/remote/types';
import { MAX_CA_BYTES } from '../../engine/remote/request';
import { parseServerUrl } from '../../engine/remote/url';
import { LabError } from '../../engine/errors';
import { GrpcTritonConnection } from './grpc-client';
import { HttpTritonConnection } from './http-client';
import { LIMITS, exchange, makeAgent } from './http-transport';
import { remoteError } from './errors';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers that frame the request: the client sets them, a user's value would break the exchange. */
const FRAMING: ReadonlySet<string> = new Set([
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'keep-alive',
  'inference-header-content-length',
  'content-encoding',
]);
const MAX_HEADERS = 64;
const MAX_HEADER_BYTES = 16 * 1024;

/** Throws INVALID_ARG for a header that could not go on the wire (names only in the message). */
export function checkHeaders(headers: Record<string, string>): void {
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw new LabError('INVALID_ARG', `Too many headers (${entries.length}; at most ${MAX_HEADERS})`);
  for (const [name, value] of entries) {
    if (!TOKEN.test(name) || name.length > 256) throw new LabError('INVALID_ARG', `'${name.slice(0, 64)}' is not a valid header name`);
    if (FRAMING.has(name.toLowerCase())) throw new LabError('INVALID_ARG', `Header '${name}' is set by the client itself and cannot be given`);
    if (typeof value !== 'string' || [...value].some((c) => (c < ' ' && c !== '\t') || c === '\x7f')) {
      throw new LabError('INVALID_ARG', `The value of header '${name}' has control characters or line breaks in it`);
    }
    if (Buffer.byteLength(value) > MAX_HEADER_BYTES) throw new LabError('INVALID_ARG', `The value of header '${name}' is longer than ${MAX_HEADER_BYTES} bytes`);
  }
  const lower = new Set(entries.map(([n]) => n.toLowerCase()));
  if (lower.size !== entries.length) throw new LabError('INVALID_ARG', 'Two headers have the same name (header names are case-insensitive)');
}

function checkTimeout(ms: number): void {
  if (!Number.isFinite(ms) || ms < 1 || ms > 3_600_000) throw new LabError('INVALID_ARG', `The timeout must be between 1 ms and one hour (got ${ms})`);
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** OpenSSL skips what is not a certificate without a word, so a wrong CA file is caught here. */
export function checkCa(caPem: string | undefined): void {
  if (caPem === undefined) return;
  if (caPem.length > MAX_CA_BYTES) throw new LabError('INVALID_ARG', `The CA file is larger than 1 MiB; it should hold PEM certificates`);
  const blocks = caPem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new LabError('INVALID_ARG', 'The CA file holds no PEM certificate (-----BEGIN CERTIFICATE----- …)');
  blocks.forEach((b, i) => {
    try {
      new X509Certificate(b);
    } catch {
      throw new LabError('INVALID_ARG', `Certificate ${i + 1} of the CA file cannot be read`);
    }
  });
}

export function connectTriton(opts: TritonConnectOptions): TritonConnection {
  const u = parseServerUrl(opts.url);
  checkHeaders(opts.headers);
  checkTimeout(opts.timeoutMs);
  checkCa(opts.caPem);
  const { url: _url, ...rest } = opts;
  if (u.protocol === 'grpc') return new GrpcTritonConnection({ tls: u.tls, address: `${u.host}:${u.port}`, url: u.url }, rest);
  return new HttpTritonConnection({ tls: u.tls, hostname: u.hostname, port: u.port, url: u.url }, rest);
}

/** GET of a text URL (http or https), bounded to 8 MiB; a non-200 answer is an error with its status. */
export const fetchText: FetchText = async (url, opts) => {
  checkHeaders(opts.headers);
  checkTimeout(opts.timeoutMs);
  checkCa(opts.caPem);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LabError('INVALID_ARG', `'${url}' is not a valid URL`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) throw new LabError('INVALID_ARG', 'The metrics URL must be http:// or https:// without credentials in it');
  const tls = u.protocol === 'https:';
  const target = { tls, hostname: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (tls ? 443 : 80)), url: `${u.protocol}//${u.host}` };
  const agent = makeAgent(target, opts);
  try {
    const r = await exchange(target, agent, opts, { method: 'GET', path: `${u.pathname}${u.search}`, headers: { Accept: 'text/plain' }, limit: LIMITS.metrics });
    if (r.status !== 200) {
      const code = r.status === 404 ? 'NOT_FOUND' : r.status === 401 || r.status === 403 ? 'INVALID_ARG' : 'UNAVAILABLE';
      throw remoteError(code, 'REMOTE_PROTOCOL', `${target.url}${u.pathname} answered HTTP ${r.status}${r.status === 401 || r.status === 403 ? ': check the headers (e.g. authorization)' : ''}`);
    }
    return r.body.toString('utf8');
  } finally {
    agent.destroy();
  }
};
