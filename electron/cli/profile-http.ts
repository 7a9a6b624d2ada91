/**
 * The HTTP(S) target of `model-lab profile -u <url>`: a `model-lab serve` instance or any Triton.
 * Like perf_analyzer, every request body is built once before the measurement (the binary tensor
 * extension, all outputs asked for as binary data) and sent as is, so the loop measures the server
 * and the wire, not our encoder: an encode per request cost ~7% of throughput on a fast model
 * (bench:profile). Client send is the time to hand the body to the socket, client receive the time
 * from the response's first byte to its last plus reading its JSON header (perf_analyzer's HTTP
 * client splits its curl timing the same way). Statistics come from /v2/models/<m>/stats, summed
 * over the versions it lists; the model's inputs from its config. Headers (-H) go with every
 * request; TLS takes a CA file and a verify-peer switch. A response body is bounded before it is
 * buffered, and a request that takes longer than the timeout fails.
 */
import http from 'node:http';
import https from 'node:https';
import { LabError } from '../engine/errors';
import type { InputSpec } from '../engine/profile/inputs';
import { isLocalHost } from '../engine/profile/machine';
import { inputSpecsFromConfig, statsFromJson, type ConfigJson, type StatsJson } from '../engine/profile/remote';
import type { ProfileTarget, RequestTimes, ServerStats, TargetDescription } from '../engine/profile/types';
import type { Tensor } from '../engine/tensor/tensor';
import { TritonHttpClient } from '../server/triton/http/client';

/** How to reach the server: perf_analyzer's -H headers and --ssl-https-* options, a timeout per request. */
export interface HttpTargetOptions {
  headers?: Record<string, string>;
  caPem?: string;
  /** --ssl-https-verify-peer 0. */
  skipVerify?: boolean;
  timeoutMs?: number;
  maxSockets: number;
}

const MAX_BODY = 64 * 1024 * 1024;
const MAX_JSON = 4 * 1024 * 1024;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  sendNs: number;
  recvNs: number;
}

function networkError(url: string, err: NodeJS.ErrnoException): LabError {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return new LabError('UNAVAILABLE', `${url}: connection refused: is the server running and is this its HTTP port?`, { reason: 'REMOTE_REFUSED' });
  if (code === 'ETIMEDOUT') return new LabError('UNAVAILABLE', `${url}: ${err.message}`, { reason: 'REMOTE_TIMEOUT' });
  if (/CERT|SELF_SIGNED|UNABLE_TO|EPROTO/.test(code) || /wrong version number/.test(err.message)) return new LabError('UNAVAILABLE', `${url}: TLS: ${err.message}`, { reason: 'REMOTE_TLS' });
  if (code === 'ECONNRESET') return new LabError('UNAVAILABLE', `${url}: the server closed the connection before it answered`, { reason: 'REMOTE_UNREACHABLE' });
  return new LabError('UNAVAILABLE', `${url}: ${err.message}`, { reason: 'REMOTE_UNREACHABLE' });
}

export class HttpTarget implements ProfileTarget {
  private next = 0;
  readonly network = true;
  private bodies: { body: Buffer; headers: Record<string, string | number> }[] = [];
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly path: string;
  private readonly host: string;
  private readonly inferPath: string;
  private readonly port: number;
  private readonly request: typeof http.request;
  /** Requests in flight and when each was sent: one watchdog timer ends those past the timeout (a timer per request costs throughput). */
  private readonly inFlight = new Map<http.ClientRequest, number>();
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    model: string,
    version: string | undefined,
    private readonly opts: HttpTargetOptions,
  ) {
    this.base = new URL(url);
    const tls = this.base.protocol === 'https:';
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets };
    this.agent = tls ? new https.Agent({ ...agentOpts, ...(opts.caPem ? { ca: opts.caPem } : {}), rejectUnauthorized: !opts.skipVerify }) : new http.Agent(agentOpts);
    this.path = `/v2/models/${encodeURIComponent(model)}${version ? `/versions/${encodeURIComponent(version)}` : ''}`;
    this.inferPath = `${this.path}/infer`;
    this.host = this.base.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(this.base.port || (tls ? 443 : 80));
    this.request = tls ? https.request : http.request;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    this.watchdog = setInterval(() => this.expire(timeoutMs), Math.min(1000, timeoutMs)).unref();
  }

  private expire(timeoutMs: number): void {
    const now = Date.now();
    for (const [req, sent] of this.inFlight) {
      if (now - sent > timeoutMs) req.destroy(new LabError('UNAVAILABLE', `${this.url}: no answer within ${timeoutMs} ms`, { reason: 'REMOTE_TIMEOUT' }));
    }
  }

  /** Connects and reads the model's inputs from its config (the server's error as it came when it has none). */
  static async open(url: string, model: string, version: string | undefined, opts: HttpTargetOptions): Promise<{ target: HttpTarget; inputs: InputSpec[] }> {
    const target = new HttpTarget(url, model, version, opts);
    try {
      return { target, inputs: inputSpecsFromConfig((await target.json('/config')) as ConfigJson) };
    } catch (err) {
      target.close();
      throw err instanceof LabError ? err : new LabError('UNAVAILABLE', `${url}: cannot read model '${model}': ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Builds every request body now, once. */
  setRequests(requests: Tensor[][]): void {
    this.bodies = requests.map((inputs) => {
      const { body, headers } = TritonHttpClient.encodeInfer(inputs);
      return { body, headers: { ...this.opts.headers, ...headers, 'Content-Length': body.byteLength } };
    });
  }

  /** One request; `headers` are complete (the -H headers and Content-Length included). */
  private send(method: string, path: string, body: Buffer | undefined, headers: Record<string, string | number>, limit: number): Promise<Reply> {
    const t0 = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      let sendNs = 0;
      // Out of the watchdog's list where the promise settles: a 'close' listener per request cost
      // ~3% of the client's CPU per request on a fast model (bench:profile's slices).
      const failed = (err: Error): void => {
        this.inFlight.delete(req);
        reject(err instanceof LabError ? err : networkError(this.url, err));
      };
      const req = this.request({ host: this.host, port: this.port, method, path, agent: this.agent, headers }, (res) => {
        const r0 = process.hrtime.bigint();
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.byteLength;
          if (size > limit) req.destroy(new LabError('UNAVAILABLE', `${this.url}: the response is larger than ${limit} bytes`, { reason: 'REMOTE_PROTOCOL' }));
          else chunks.push(c);
        });
        res.on('end', () => {
          this.inFlight.delete(req);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), sendNs, recvNs: Number(process.hrtime.bigint() - r0) });
        });
        res.on('error', failed);
      });
      this.inFlight.set(req, Date.now());
      req.on('finish', () => (sendNs = Number(process.hrtime.bigint() - t0)));
      req.on('error', failed);
      req.end(body);
    });
  }

  /** A GET of the model's JSON (config, stats); the server's `{"error": …}` passed through as it came. */
  private async json(path: string): Promise<unknown> {
    const r = await this.send('GET', this.path + path, undefined, { ...this.opts.headers }, MAX_JSON);
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body.toString());
    } catch {
      throw new LabError('UNAVAILABLE', `${this.url}: answered ${r.status} with something that is not JSON: is this a Triton server?`);
    }
    if (r.status !== 200) throw serverError(r.status, parsed, this.url);
    return parsed;
  }

  async infer(): Promise<RequestTimes> {
    const req = this.bodies[this.next++ % this.bodies.length];
    if (!req) throw new LabError('INVALID_ARG', 'no request data');
    const r = await this.send('POST', this.inferPath, req.body, req.headers, MAX_BODY);
    const t1 = process.hrtime.bigint();
    if (r.status !== 200) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(r.body.toString());
      } catch {
        parsed = undefined;
      }
      throw serverError(r.status, parsed, this.url);
    }
    const headerLength = r.headers['inference-header-content-length'];
    JSON.parse(r.body.subarray(0, headerLength === undefined ? r.body.byteLength : Number(headerLength)).toString());
    return { sendNs: r.sendNs, recvNs: r.recvNs + Number(process.hrtime.bigint() - t1) };
  }

  async statistics(): Promise<ServerStats> {
    const r = (await this.json('/stats')) as { model_stats?: unknown };
    if (!Array.isArray(r.model_stats)) throw new LabError('UNAVAILABLE', `${this.url}: the statistics have no model_stats: is this a Triton server?`);
    return statsFromJson(r.model_stats as StatsJson[]);
  }

  describe(): TargetDescription {
    return { kind: 'http', address: this.url, sameHost: isLocalHost(this.base.hostname) };
  }

  close(): void {
    clearInterval(this.watchdog);
    this.agent.destroy();
  }
}

function serverError(status: number, body: unknown, url: string): LabError {
  const message = body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : `${url}: HTTP ${status}`;
  const code = status === 400 ? 'INVALID_ARG' : status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE';
  return new LabError(code, message);
}

export { inputSpecsFromConfig, statsFromJson };
