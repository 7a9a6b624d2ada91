/**
 * Checks that what a remote server answered has the shape Triton's protocol gives it (server
 * metadata, repository index, model metadata, statistics), keeping the fields we use and refusing
 * the rest with REMOTE_PROTOCOL: a proxy's HTML page or another service on the port must read as
 * "not a Triton server", not as an empty repository. Optional fields Triton may leave out (an index
 * entry's version for a model never loaded) get their defaults.
 */
import type { RemoteModelMetadata } from '../../contract/remote-api';
import type { RemoteIndexEntry, RemoteStatistics } from '../../engine/remote/types';
import { protocolError } from './errors';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

export function parseJsonBody(url: string, body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw protocolError(url, `its ${what} is not JSON`);
  }
}

export function serverMetadataOf(url: string, json: unknown): { name: string; version: string; extensions: string[] } {
  if (!isObject(json) || typeof json['name'] !== 'string' || typeof json['version'] !== 'string') throw protocolError(url, 'its server metadata has no name and version');
  const ext = json['extensions'];
  return { name: json['name'], version: json['version'], extensions: Array.isArray(ext) ? ext.filter((e): e is string => typeof e === 'string') : [] };
}

export function indexOf(url: string, json: unknown): RemoteIndexEntry[] {
  if (!Array.isArray(json)) throw protocolError(url, 'its repository index is not a list');
  return json.map((e) => {
    if (!isObject(e) || typeof e['name'] !== 'string') throw protocolError(url, 'an entry of its repository index has no name');
    return { name: e['name'], version: str(e['version']), state: str(e['state']), reason: str(e['reason']) };
  });
}

function ioOf(url: string, v: unknown): RemoteModelMetadata['inputs'] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw protocolError(url, 'its model metadata has inputs or outputs that are not a list');
  return v.map((t) => {
    if (!isObject(t) || typeof t['name'] !== 'string' || typeof t['datatype'] !== 'string' || !Array.isArray(t['shape'])) {
      throw protocolError(url, 'a tensor in its model metadata has no name, datatype or shape');
    }
    return { name: t['name'], datatype: t['datatype'], shape: t['shape'].map((d) => Number(d)) };
  });
}

export function modelMetadataOf(url: string, json: unknown): RemoteModelMetadata {
  if (!isObject(json) || typeof json['name'] !== 'string') throw protocolError(url, 'its model metadata has no name');
  const versions = Array.isArray(json['versions']) ? json['versions'].map((v) => String(v)) : [];
  return { name: json['name'], versions, platform: str(json['platform']), inputs: ioOf(url, json['inputs']), outputs: ioOf(url, json['outputs']) };
}

/** Statistics in the HTTP JSON shape; every field the protocol has is kept as it came (cache_hit, memory_usage…). */
export function statisticsOf(url: string, json: unknown): RemoteStatistics {
  if (!isObject(json) || !Array.isArray(json['model_stats'])) throw protocolError(url, 'its statistics have no model_stats list');
  for (const s of json['model_stats']) {
    if (!isObject(s) || typeof s['name'] !== 'string') throw protocolError(url, 'an entry of its statistics has no model name');
    if (s['version'] === undefined) s['version'] = '';
    else if (typeof s['version'] !== 'string') s['version'] = String(s['version']);
  }
  return json as unknown as RemoteStatistics;
}
