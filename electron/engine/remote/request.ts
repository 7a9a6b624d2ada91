/**
 * An "add server" request checked as hostile input before anything connects: the URL (url.ts),
 * header names and values (bounded, no line breaks: a value with CR/LF could smuggle headers),
 * the CA file (an absolute path, read through its real path, bounded, PEM), the timeout and the
 * metrics URL. Errors name the field, never a header's value.
 */
import path from 'node:path';
import type { RemoteServerRequest, RemoteTls } from '../../contract/remote-api';
import { LabError } from '../errors';
import { realPath } from '../util/real-path';
import { readRegularFile } from '../util/regular-file';
import { HEADER_NAME, MAX_HEADERS, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from './stored';
import { type ServerUrl, defaultMetricsUrl, parseMetricsUrl, parseServerUrl } from './url';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_HEADER_VALUE = 8192;
/** A CA bundle larger than this is refused unread (system bundles are ~250 KiB). */
export const MAX_CA_BYTES = 1024 * 1024;

export interface CheckedRequest {
  server: ServerUrl;
  name: string;
  headers: Record<string, string>;
  tls: RemoteTls;
  timeoutMs: number;
  metricsUrl: string;
}

const bad = (message: string): LabError => new LabError('INVALID_ARG', message);

export function checkHeaders(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('headers must be an object of header names to values');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) throw bad(`at most ${MAX_HEADERS} headers, got ${entries.length}`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [rawName, value] of entries) {
    const name = rawName.trim().toLowerCase();
    if (!HEADER_NAME.test(name)) throw bad(`'${rawName.slice(0, 60)}' is not a header name (letters, digits, '-', '_' and '.' only)`);
    if (name === 'host' || name === 'content-length' || name === 'transfer-encoding' || name === 'connection' || name === 'te')
      throw bad(`header '${name}' is set by the connection itself and cannot be given`);
    if (typeof value !== 'string') throw bad(`header '${name}' must have a text value`);
    if (value.length > MAX_HEADER_VALUE) throw bad(`header '${name}' is longer than ${MAX_HEADER_VALUE} characters`);
    if ([...value].some((c) => c.charCodeAt(0) < 0x20 && c !== '\t') || value.includes('\x7f')) throw bad(`header '${name}' has a line break or control character in its value`);
    if (name in out) throw bad(`header '${name}' is given twice`);
    out[name] = value.trim();
  }
  return { ...out };
}

function checkTimeout(v: unknown): number {
  if (v === undefined || v === null) return DEFAULT_TIMEOUT_MS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_TIMEOUT_MS || v > MAX_TIMEOUT_MS)
    throw bad(`timeoutMs must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}`);
  return v;
}

function checkTls(raw: unknown, server: ServerUrl): RemoteTls {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('tls must be an object {caFile?, skipVerify?}');
  const o = raw as Record<string, unknown>;
  const tls: RemoteTls = {};
  if (o['caFile'] !== undefined && o['caFile'] !== '') {
    const ca = o['caFile'];
    if (typeof ca !== 'string' || ca.length > 4096 || !path.isAbsolute(ca)) throw bad('the CA file must be an absolute path to a PEM file');
    tls.caFile = path.normalize(ca);
  }
  if (o['skipVerify'] !== undefined && typeof o['skipVerify'] !== 'boolean') throw bad('skipVerify must be true or false');
  if (o['skipVerify'] === true) tls.skipVerify = true;
  if (!server.tls && (tls.caFile || tls.skipVerify)) throw bad(`TLS options were given for ${server.url}, which is not TLS; use https:// or grpcs://`);
  return tls;
}

export function checkRequest(req: RemoteServerRequest): CheckedRequest {
  if (!req || typeof req !== 'object') throw bad('a server request {url, name?, headers?, tls?, timeoutMs?, metricsUrl?} is required');
  if (typeof req.url !== 'string') throw bad('url must be text, e.g. http://gpu-node:8000');
  const server = parseServerUrl(req.url);
  const name = req.name === undefined || req.name === null || (typeof req.name === 'string' && req.name.trim() === '') ? `${server.host}:${server.port}` : req.name;
  if (typeof name !== 'string' || name.length > 200 || [...name].some((c) => c.charCodeAt(0) < 0x20)) throw bad('the name must be at most 200 characters on one line');
  const metricsUrl = req.metricsUrl === undefined || req.metricsUrl === null || req.metricsUrl === '' ? defaultMetricsUrl(server) : parseMetricsUrl(String(req.metricsUrl));
  return { server, name: name.trim(), headers: checkHeaders(req.headers), tls: checkTls(req.tls, server), timeoutMs: checkTimeout(req.timeoutMs), metricsUrl };
}

/** The CA file's PEM text: through its real path, a regular file, bounded, and PEM. */
export async function readCaFile(file: string): Promise<string> {
  const real = (await realPath(file)) ?? file;
  const text = (await readRegularFile(real, file, MAX_CA_BYTES)).toString('utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw bad(`'${file}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return text;
}
