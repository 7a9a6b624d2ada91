/**
 * The remote servers the settings file keeps, read as hostile input like the rest of that file: a
 * bad entry is dropped (never fatal), strings are bounded, and nothing but the non-secret fields
 * survives (a header value someone wrote into the file by hand is not picked up from there).
 */
import type { RemoteTls, StoredRemoteServer } from '../../contract/remote-api';
import { parseMetricsUrl, parseServerUrl } from './url';

/** Far above what anyone adds; bounds what a bad file can make the lab connect to at start. */
export const MAX_REMOTE_SERVERS = 32;
export const MAX_HEADERS = 32;
const REMOTE_ID = /^remote:\d{1,9}$/;
/** Header names, lower-cased as HTTP/2 and gRPC metadata carry them; letters, digits, '-', '_' and '.' only (RFC 9110 allows more, but these names are also written into shell and Python snippets). */
export const HEADER_NAME = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 10 * 60_000;

function text(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max && ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ? v : undefined;
}

/** The value when its parser takes it unchanged (a hand-edited URL that no longer parses drops the entry). */
function checked(v: string | undefined, parse: (v: string) => string): string | undefined {
  if (v === undefined) return undefined;
  try {
    return parse(v) === v ? v : undefined;
  } catch {
    return undefined;
  }
}

function storedTls(v: unknown): RemoteTls | undefined {
  if (v === undefined) return {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const tls: RemoteTls = {};
  if (o['caFile'] !== undefined) {
    const ca = text(o['caFile'], 4096);
    if (!ca) return undefined;
    tls.caFile = ca;
  }
  if (o['skipVerify'] !== undefined) {
    if (typeof o['skipVerify'] !== 'boolean') return undefined;
    if (o['skipVerify']) tls.skipVerify = true;
  }
  return tls;
}

function storedServer(v: unknown): StoredRemoteServer | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const id = typeof o['id'] === 'string' && REMOTE_ID.test(o['id']) ? o['id'] : undefined;
  const name = text(o['name'], 200);
  const url = checked(text(o['url'], 2048), (u) => parseServerUrl(u).url);
  const metricsUrl = checked(text(o['metricsUrl'], 2048), parseMetricsUrl);
  const tls = storedTls(o['tls']);
  const t = o['timeoutMs'];
  const timeoutMs = typeof t === 'number' && Number.isInteger(t) && t >= MIN_TIMEOUT_MS && t <= MAX_TIMEOUT_MS ? t : undefined;
  const names = o['headerNames'];
  const headerNames = Array.isArray(names) && names.length <= MAX_HEADERS && names.every((n) => typeof n === 'string' && HEADER_NAME.test(n)) ? [...new Set(names as string[])] : undefined;
  if (!id || !name || !url || !metricsUrl || !tls || timeoutMs === undefined || !headerNames) return undefined;
  return { id, name, url, tls, timeoutMs, metricsUrl, headerNames };
}

/** The entries of the file that pass, each id once, at most MAX_REMOTE_SERVERS. */
export function storedRemoteServers(raw: unknown): StoredRemoteServer[] {
  if (!Array.isArray(raw)) return [];
  const out: StoredRemoteServer[] = [];
  for (const v of raw.slice(0, 4 * MAX_REMOTE_SERVERS)) {
    const s = storedServer(v);
    if (s && !out.some((o) => o.id === s.id)) out.push(s);
    if (out.length >= MAX_REMOTE_SERVERS) break;
  }
  return out;
}

export function copyStored(list: readonly StoredRemoteServer[]): StoredRemoteServer[] {
  return list.map((s) => ({ ...s, tls: { ...s.tls }, headerNames: [...s.headerNames] }));
}
