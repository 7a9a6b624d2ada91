/**
 * Triton's metrics endpoint (tritonserver --metrics-port, 8002 by default):
 * a bare HTTP server answering `GET /metrics` (a trailing slash allowed, as
 * Triton's /metrics/? pattern) with the Prometheus text format. Other
 * methods get 405 with Triton's JSON error; other paths get 404 (Triton
 * answers them 200 with an empty body). Bound to loopback, it answers only
 * requests addressed to this machine (a DNS-rebinding page is refused 403);
 * slow clients time out and open connections are capped.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostRefusal } from '../access';
import { customMetricsText } from './custom-families';
import { EXPOSITION_CONTENT_TYPE } from './prometheus';
import { type MetricsSource, TritonMetrics, type TritonMetricsOptions } from './triton-metrics';

export interface MetricsServerOptions extends Omit<TritonMetricsOptions, 'cpu'> {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface MetricsServer {
  /** The port it listens on (the chosen one when asked for 0). */
  port: number;
  metrics: TritonMetrics;
  close(): Promise<void>;
}

const PATH = /^\/metrics\/?$/;

/** A scrape is one small GET: tight timeouts, few connections. */
const LIMITS = { headersTimeout: 30_000, requestTimeout: 60_000, maxConnections: 256 };

function reply(res: http.ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

export async function startMetricsServer(core: MetricsSource, options: MetricsServerOptions): Promise<MetricsServer> {
  const metrics = new TritonMetrics(core, options);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const badHost = hostRefusal(options.host, req.headers.host);
    if (badHost) {
      reply(res, 403, 'application/json', JSON.stringify({ error: badHost }));
      return;
    }
    if (req.method !== 'GET') {
      reply(res, 405, 'application/json', JSON.stringify({ error: 'Method Not Allowed' }), { Allow: 'GET' });
      return;
    }
    if (!PATH.test(path)) {
      reply(res, 404, 'application/json', JSON.stringify({ error: 'Not Found' }));
      return;
    }
    let text: string;
    try {
      // Triton's families, then the ones models created (pb_utils.MetricFamily), as one registry prints them.
      text = metrics.render() + customMetricsText();
    } catch (err) {
      reply(res, 500, 'application/json', JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
      return;
    }
    reply(res, 200, EXPOSITION_CONTENT_TYPE, text);
  });
  server.headersTimeout = LIMITS.headersTimeout;
  server.requestTimeout = LIMITS.requestTimeout;
  server.maxConnections = LIMITS.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  metrics.start();
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    metrics,
    close: () =>
      new Promise<void>((resolve, reject) => {
        metrics.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
