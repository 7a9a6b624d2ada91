/**
 * The remote servers added to the lab (`remote:<n>` ids): each one's connection (through the host's
 * protocol clients), its last known metadata and repository index, and what the settings file keeps
 * (never a header value: those live in the host's CredentialStore). A server that cannot be reached
 * stays listed with the reason, so the tree says what is wrong instead of dropping it. Other parts
 * reach a server through here: `connectOptions` (the metrics scraper), `connection` and `runner`
 * (the profiler and the playground).
 */
import type { LabEvent, ModelDetail, ModelStatsRow, ModelSummary, RepositoryInfo } from '../../contract/lab-api';
import type { RemoteModelMetadata, RemoteServerInfo, RemoteServerRequest, StoredRemoteServer } from '../../contract/remote-api';
import { type ErrorReason, LabError, errorMessage, toLabError } from '../errors';
import { clipLine } from '../backends/log-lines';
import type { ModelConfig } from '../config/gen/model_config_pb';
import type { SettingsStore } from '../settings';
import { configFromTritonJson } from './config-json';
import { checkRequest, readCaFile } from './request';
import { RemoteRunner } from './runner';
import { MAX_REMOTE_SERVERS } from './stored';
import type { RemoteHost, RemoteIndexEntry, TritonConnectOptions, TritonConnection } from './types';
import { parseServerUrl } from './url';
import { remoteModelDetail, remoteStatsRows, remoteSummaries, remoteSummary, remoteUnloadedDetail } from './views';

export const REMOTE_PREFIX = 'remote:';

const REMOTE_REASONS: readonly string[] = ['REMOTE_REFUSED', 'REMOTE_TIMEOUT', 'REMOTE_TLS', 'REMOTE_UNREACHABLE', 'REMOTE_PROTOCOL'] satisfies ErrorReason[];

function isRemoteReason(code: string): code is ErrorReason {
  return REMOTE_REASONS.includes(code);
}

export function isRemoteId(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith(REMOTE_PREFIX);
}

interface Entry {
  stored: StoredRemoteServer;
  state: RemoteServerInfo['state'];
  error?: { code: string; message: string };
  server?: { name: string; version: string; extensions: string[] };
  index: RemoteIndexEntry[];
  conn?: TritonConnection;
  /** The CA file's text, read once per connection (the metrics view asks for options every few seconds). */
  caPem?: string;
  refreshing?: Promise<void>;
}

export interface RemoteServersOptions {
  /** The host's protocol clients; may come later through attach(). */
  host?: RemoteHost;
  settings: Pick<SettingsStore, 'get' | 'setRemoteServers'>;
  emit: (ev: LabEvent) => void;
}

const SKIP_VERIFY_WARNING = 'certificate checks are off: anyone on the network path can read and change this traffic';

export class RemoteServers {
  private readonly entries = new Map<string, Entry>();
  private nextId = 1;
  private remoteHost: RemoteHost | undefined;

  constructor(private readonly options: RemoteServersOptions) {
    this.remoteHost = options.host;
  }

  /** The host's protocol clients and credential store (main, browser mode, the CLI); then the saved servers are listed and connected. */
  attach(host: RemoteHost): void {
    if (this.remoteHost === host) return;
    this.remoteHost = host;
    this.restore();
  }

  get attached(): boolean {
    return this.remoteHost !== undefined;
  }

  private get host(): RemoteHost {
    const h = this.remoteHost;
    if (!h) throw new LabError('UNSUPPORTED', 'this host cannot connect to remote servers');
    return h;
  }

  /** Lists the servers the settings file keeps and connects to each in the background. */
  restore(): void {
    for (const stored of this.options.settings.get().remoteServers ?? []) {
      if (this.entries.has(stored.id)) continue;
      this.entries.set(stored.id, { stored, state: 'connecting', index: [] });
      this.nextId = Math.max(this.nextId, Number(stored.id.slice(REMOTE_PREFIX.length)) + 1);
      void this.refresh(stored.id).catch(() => undefined);
    }
  }

  private get(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new LabError('NOT_FOUND', `no remote server with id '${String(id).slice(0, 80)}'`);
    return e;
  }

  list(): RemoteServerInfo[] {
    return [...this.entries.values()].map((e) => this.info(e));
  }

  info(e: Entry | string): RemoteServerInfo {
    const entry = typeof e === 'string' ? this.get(e) : e;
    const s = entry.stored;
    const info: RemoteServerInfo = {
      id: s.id,
      name: s.name,
      url: s.url,
      protocol: parseServerUrl(s.url).protocol,
      tls: { ...s.tls },
      headerNames: [...s.headerNames],
      credentialStore: this.remoteHost?.credentials.kind ?? 'memory',
      metricsUrl: s.metricsUrl,
      timeoutMs: s.timeoutMs,
      state: entry.state,
      warnings: [...(s.tls.skipVerify ? [SKIP_VERIFY_WARNING] : []), ...(s.headerNames.length && this.remoteHost?.credentials.problem ? [this.remoteHost.credentials.problem] : [])],
    };
    if (entry.error) info.error = { ...entry.error };
    if (entry.server) info.server = { ...entry.server, extensions: [...entry.server.extensions] };
    return info;
  }

  /** The server as an entry of listRepositories: its models from the last index read. */
  repositoryInfo(id: string): RepositoryInfo {
    const e = this.get(id);
    return {
      id,
      path: e.stored.url,
      name: e.stored.name,
      sample: false,
      controlMode: e.server?.extensions.includes('model_repository') ? 'explicit' : 'none',
      watching: false,
      pollSecs: 0,
      diagnostics: e.error ? [{ severity: 'error', code: e.error.code, message: e.error.message }] : [],
      models: remoteSummaries(e.index),
      loading: e.state === 'connecting',
      trust: 'trusted',
      hasCode: false,
      remote: this.info(e),
    };
  }

  repositories(): RepositoryInfo[] {
    return [...this.entries.keys()].map((id) => this.repositoryInfo(id));
  }

  /** Options to reach a server (header values from the credential store, the CA file read once per connection). */
  async connectOptions(id: string): Promise<TritonConnectOptions & { metricsUrl: string }> {
    const e = this.get(id);
    const s = e.stored;
    const headers = await this.host.credentials.get(id);
    if (s.tls.caFile) e.caPem ??= await readCaFile(s.tls.caFile);
    const caPem = e.caPem;
    return { url: s.url, headers, timeoutMs: s.timeoutMs, metricsUrl: s.metricsUrl, ...(caPem ? { caPem } : {}), ...(s.tls.skipVerify ? { skipVerify: true } : {}) };
  }

  async connection(id: string): Promise<TritonConnection> {
    const e = this.get(id);
    if (e.conn) return e.conn;
    const { metricsUrl: _metrics, ...opts } = await this.connectOptions(id);
    // Removed (or the lab closed) while its credentials were read: a connection now would never be closed.
    if (this.entries.get(id) !== e) throw new LabError('NOT_FOUND', `no remote server with id '${id}'`);
    e.conn ??= this.host.connect(opts);
    return e.conn;
  }

  async add(req: RemoteServerRequest): Promise<RemoteServerInfo> {
    const checked = checkRequest(req);
    const host = this.host;
    this.checkRoom(checked.server.url);
    const caPem = checked.tls.caFile ? await readCaFile(checked.tls.caFile) : undefined;
    const opts: TritonConnectOptions = {
      url: checked.server.url,
      headers: checked.headers,
      timeoutMs: checked.timeoutMs,
      ...(caPem ? { caPem } : {}),
      ...(checked.tls.skipVerify ? { skipVerify: true } : {}),
    };
    const conn = host.connect(opts);
    let server: Entry['server'];
    let index: RemoteIndexEntry[];
    try {
      server = await conn.serverMetadata();
      index = await readIndex(conn, server);
      // Checked again: another add of the same URL may have finished while this one waited on the server.
      this.checkRoom(checked.server.url);
    } catch (err) {
      conn.close();
      throw toLabError(err);
    }
    const id = `${REMOTE_PREFIX}${this.nextId++}`;
    const stored: StoredRemoteServer = {
      id,
      name: checked.name,
      url: checked.server.url,
      tls: checked.tls,
      timeoutMs: checked.timeoutMs,
      metricsUrl: checked.metricsUrl,
      headerNames: Object.keys(checked.headers),
    };
    const entry: Entry = { stored, state: 'connected', server, index, conn };
    // Listed before the credentials are written, so the URL is taken while that waits; taken back if they cannot be.
    this.entries.set(id, entry);
    try {
      await host.credentials.set(id, checked.headers);
    } catch (err) {
      if (this.entries.get(id) === entry) this.entries.delete(id);
      conn.close();
      throw toLabError(err);
    }
    this.save();
    this.options.emit({ type: 'repositories-changed' });
    return this.info(entry);
  }

  /** Room for one more server, and none at this URL yet. */
  private checkRoom(url: string): void {
    if (this.entries.size >= MAX_REMOTE_SERVERS) throw new LabError('INVALID_ARG', `at most ${MAX_REMOTE_SERVERS} remote servers can be added; remove one first`);
    const same = [...this.entries.values()].find((e) => e.stored.url === url);
    if (same) throw new LabError('ALREADY_EXISTS', `${url} is already added as '${same.stored.name}'`);
  }

  async remove(id: string): Promise<boolean> {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    e.conn?.close();
    this.save();
    await this.remoteHost?.credentials.delete(id).catch(() => undefined);
    this.options.emit({ type: 'repositories-changed' });
    return true;
  }

  /** Reads metadata and the index again; a failure is kept on the entry (state 'unreachable') and thrown. */
  async refresh(id: string): Promise<RepositoryInfo> {
    const e = this.get(id);
    e.refreshing ??= this.doRefresh(id, e).finally(() => (e.refreshing = undefined));
    await e.refreshing;
    if (e.error) throw new LabError('UNAVAILABLE', e.error.message, isRemoteReason(e.error.code) ? { reason: e.error.code } : undefined);
    return this.repositoryInfo(id);
  }

  private async doRefresh(id: string, e: Entry): Promise<void> {
    try {
      const conn = await this.connection(id);
      e.server = await conn.serverMetadata();
      e.index = await readIndex(conn, e.server);
      e.state = 'connected';
      delete e.error;
    } catch (err) {
      const le = toLabError(err);
      e.state = 'unreachable';
      e.error = { code: le.reason ?? le.code, message: errorMessage(le) };
      // A new connection next time (the server may have come back on a new socket, or the CA changed).
      e.conn?.close();
      delete e.conn;
      delete e.caPem;
    }
    if (this.entries.get(id) === e) this.options.emit({ type: 'repository-changed', repoId: id });
  }

  private async modelConfig(id: string, model: string, version?: number): Promise<{ config: ModelConfig; json: unknown; ignored: string[] }> {
    const conn = await this.connection(id);
    const json = await conn.modelConfig(model, version !== undefined && version >= 0 ? String(version) : undefined);
    return { ...configFromTritonJson(json, model), json };
  }

  private summary(id: string, model: string): ModelSummary {
    const entries = this.get(id).index.filter((x) => x.name === model);
    return remoteSummary(model, entries);
  }

  async model(id: string, model: string): Promise<ModelDetail> {
    const conn = await this.connection(id);
    const summary = this.summary(id, model);
    const listed = this.get(id).index.some((e) => e.name === model);
    let read: Awaited<ReturnType<RemoteServers['modelConfig']>>;
    try {
      read = await this.modelConfig(id, model);
    } catch (err) {
      // Triton serves a config only for a loaded model: one the index lists but has not loaded gets a page to load it from.
      if (listed && summary.state !== 'READY' && toLabError(err).reason === undefined) return remoteUnloadedDetail(id, summary);
      throw err;
    }
    const { config, json, ignored } = read;
    // Metadata exists only for a loaded model; an unloaded one still shows its config.
    const metadata: RemoteModelMetadata | undefined = await conn.modelMetadata(model).catch(() => undefined);
    const detail = remoteModelDetail(id, summary, config, json, metadata);
    if (ignored.length)
      detail.diagnostics.push({
        severity: 'info',
        code: 'REMOTE_FIELDS_NOT_SHOWN',
        message: clipLine(`the server's config has fields this lab does not know; they are in the completed JSON but not in config.pbtxt: ${ignored.slice(0, 20).join(', ')}`),
      });
    return detail;
  }

  /** A runner for one version; -1: the newest READY version of the last index read (the server's choice when it lists none). */
  async runner(id: string, model: string, version: number): Promise<RemoteRunner> {
    const conn = await this.connection(id);
    const ready = this.get(id)
      .index.filter((e) => e.name === model && e.state === 'READY')
      .map((e) => Number(e.version))
      .filter((v) => Number.isSafeInteger(v) && v >= 0);
    const v = version >= 0 ? version : ready.reduce((a, b) => Math.max(a, b), -1);
    const { config } = await this.modelConfig(id, model, v);
    return new RemoteRunner(conn, model, v, config);
  }

  async load(id: string, model: string): Promise<ModelSummary> {
    await (await this.connection(id)).load(model);
    await this.refresh(id).catch(() => undefined);
    return this.summary(id, model);
  }

  async unload(id: string, model: string): Promise<ModelSummary> {
    await (await this.connection(id)).unload(model);
    await this.refresh(id).catch(() => undefined);
    return this.summary(id, model);
  }

  async stats(id: string, model: string): Promise<ModelStatsRow[]> {
    return remoteStatsRows(await (await this.connection(id)).statistics(model), model);
  }

  /** Closes every connection; the entries go too, so a refresh still under way opens none afterwards. */
  close(): void {
    for (const e of this.entries.values()) e.conn?.close();
    this.entries.clear();
  }

  private save(): void {
    this.options.settings.setRemoteServers([...this.entries.values()].map((e) => e.stored));
  }
}

/** The repository index; a server without the model_repository extension lists its ready models through its metadata instead. */
async function readIndex(conn: TritonConnection, server: { extensions: string[] }): Promise<RemoteIndexEntry[]> {
  try {
    return await conn.repositoryIndex();
  } catch (err) {
    if (server.extensions.includes('model_repository')) throw err;
    throw new LabError('UNSUPPORTED', `the server does not list its models (no model_repository extension): ${errorMessage(err)}`);
  }
}
