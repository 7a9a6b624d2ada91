/**
 * A remote server's URL, parsed and checked before anything connects to it: the user types it, so
 * every way it can be wrong gets its own message, and a URL with a user name or password in it is
 * refused without being echoed, as is one with a query string (credentials belong in headers, which
 * go to the credential store, not into the settings file or logs where a URL ends up). Also the
 * default metrics URL, which Triton serves on its own port (8002) of the same host.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { RemoteProtocol } from '../../contract/remote-api';
import { LabError } from '../errors';

export type ServerScheme = 'http' | 'https' | 'grpc' | 'grpcs';

export interface ServerUrl {
  scheme: ServerScheme;
  protocol: RemoteProtocol;
  /** HTTPS or gRPC over TLS. */
  tls: boolean;
  /** As it goes in a URL: an IPv6 address keeps its brackets. */
  host: string;
  /** As sockets want it: an IPv6 address without brackets. */
  hostname: string;
  port: number;
  /** Normalized: `scheme://host:port` (no path). */
  url: string;
}

/** Triton's default ports (--http-port, --grpc-port, --metrics-port). */
export const DEFAULT_PORTS = { http: 8000, grpc: 8001, metrics: 8002 } as const;

const MAX_URL_LENGTH = 2048;
const SCHEMES: readonly ServerScheme[] = ['http', 'https', 'grpc', 'grpcs'];
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

const bad = (message: string): LabError => new LabError('INVALID_ARG', message);

function splitScheme(text: string): { scheme: ServerScheme; rest: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(text);
  if (!m) return { scheme: 'http', rest: text };
  const scheme = m[1]!.toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw bad(`Unsupported scheme '${scheme}' in the server URL: use http://, https://, grpc:// or grpcs:// (gRPC over TLS)`);
  }
  return { scheme: scheme as ServerScheme, rest: m[2]! };
}

function checkHost(host: string, text: string): string {
  if (host.startsWith('[')) {
    const inner = host.slice(1, -1);
    if (!host.endsWith(']') || !isIPv6(inner)) throw bad(`'${host}' is not an IPv6 address in the server URL '${text}'`);
    return inner;
  }
  if (host === '') throw bad(`The server URL '${text}' has no host`);
  if (!isIPv4(host) && !HOSTNAME.test(host)) throw bad(`'${host}' is not a valid host name in the server URL '${text}'`);
  return host;
}

function checkPort(port: string | undefined, fallback: number, text: string): number {
  if (port === undefined) return fallback;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw bad(`'${port}' is not a valid port in the server URL '${text}' (1–65535)`);
  return Number(port);
}

/** Authority (`host`, `host:port`, `[v6]:port`) and the rest, with the rest checked to be empty or `/`. */
function splitAuthority(rest: string, text: string): { authority: string } {
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? '' : rest.slice(end);
  if (authority.includes('@')) {
    // Not echoed: it holds a password.
    throw bad('The server URL has a user name or password in it; remove it and send credentials as headers (e.g. authorization) instead');
  }
  // Not echoed either: a query (or a fragment after it) is where a token is put.
  if (tail.includes('?')) throw bad('The server URL has a query string; give only scheme://host:port (credentials go in headers)');
  if (tail.includes('#')) throw bad('The server URL has a fragment; give only scheme://host:port');
  if (tail !== '' && tail !== '/') throw bad(`The server URL '${text}' has a path ('${tail}'); Triton serves its API at the root, so give only scheme://host:port`);
  return { authority };
}

/** Parses and checks a server URL (`host:port` alone means http; ports default to 8000 for HTTP, 8001 for gRPC). */
export function parseServerUrl(input: string): ServerUrl {
  const text = input.trim();
  if (text === '') throw bad('The server URL is empty');
  if (text.length > MAX_URL_LENGTH) throw bad(`The server URL is too long (${text.length} characters; at most ${MAX_URL_LENGTH})`);
  if ([...text].some((c) => c <= ' ' || c === '\x7f')) throw bad('The server URL has spaces or control characters in it');
  const { scheme, rest } = splitScheme(text);
  const { authority } = splitAuthority(rest, text);
  const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority);
  if (!m) throw bad(`'${authority}' is not host:port in the server URL '${text}'`);
  const hostname = checkHost(m[1]!, text);
  const protocol: RemoteProtocol = scheme === 'grpc' || scheme === 'grpcs' ? 'grpc' : 'http';
  const port = checkPort(m[2], DEFAULT_PORTS[protocol], text);
  const host = isIPv6(hostname) ? `[${hostname}]` : hostname.toLowerCase();
  return { scheme, protocol, tls: scheme === 'https' || scheme === 'grpcs', host, hostname: isIPv6(hostname) ? hostname : host, port, url: `${scheme}://${host}:${port}` };
}

/** Where Triton serves Prometheus metrics by default: the same host, port 8002, `/metrics`; https when the server speaks TLS. */
export function defaultMetricsUrl(server: ServerUrl): string {
  return `${server.tls ? 'https' : 'http'}://${server.host}:${DEFAULT_PORTS.metrics}/metrics`;
}

/** Checks a metrics URL the user gave: http(s), a host, any path; no credentials (headers carry them). */
export function parseMetricsUrl(input: string): string {
  const text = input.trim();
  if (text.length > MAX_URL_LENGTH) throw bad(`The metrics URL is too long (${text.length} characters; at most ${MAX_URL_LENGTH})`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    // Not echoed: a URL that does not parse may still hold a password or a token.
    throw bad('The metrics URL is not a valid URL (e.g. http://host:8002/metrics)');
  }
  if (u.username !== '' || u.password !== '') throw bad('The metrics URL has a user name or password in it; remove it and send credentials as headers instead');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`The metrics URL must be http:// or https:// (got '${u.protocol.slice(0, -1)}')`);
  if (u.hash !== '') throw bad('The metrics URL has a fragment (#…); remove it');
  return u.href;
}
