/**
 * `scrapeMetrics`: one scrape of a server's Prometheus `/metrics`, reduced to a MetricsSnapshot.
 *
 * - a remote server (`remote:` id): its metrics URL, headers and TLS options from the remote
 *   registry (`connectOptions(id)`), fetched through the host's bounded `fetchText`;
 * - a local repository: the lab's own serving when it serves that repository (its metrics port,
 *   asked on loopback when it listens on every interface, through the same `fetchText`), else a
 *   clear error saying to serve it.
 *
 * The text is parsed strictly and bounded (metrics/prometheus-parse.ts): a server that answers
 * something else is a REMOTE_PROTOCOL error, not an empty chart.
 */
import type { MetricsSnapshot } from '../../contract/remote-api';
import { LabError } from '../errors';
import type { HostCapabilities, LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { parsePrometheusText } from '../metrics/prometheus-parse';
import { snapshotFromExposition } from '../metrics/prometheus-snapshot';
import type { TritonConnectOptions } from '../remote/types';
import { payload, str } from './payload';

/** What scraping needs of the remote registry (RemoteServers.connectOptions). */
export interface RemoteMetricsSource {
  connectOptions(id: string): (TritonConnectOptions & { metricsUrl: string }) | Promise<TritonConnectOptions & { metricsUrl: string }>;
}

/** How long one scrape of the lab's own server may take. */
export const LOCAL_SCRAPE_TIMEOUT_MS = 5000;

const WILDCARD_HOSTS: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]', '::': '[::1]' };

/** The serving's metrics URL, with a wildcard listen address replaced by loopback. */
export function loopbackMetricsUrl(url: string): string {
  const u = new URL(url);
  const local = WILDCARD_HOSTS[u.hostname];
  if (local !== undefined) u.hostname = local;
  return u.toString();
}

async function scrapeRemote(id: string, host: HostCapabilities, remotes: RemoteMetricsSource | undefined): Promise<MetricsSnapshot> {
  if (!remotes || !host.remote) throw new LabError('UNSUPPORTED', 'remote servers are not available in this host');
  const { metricsUrl, url, headers, ...opts } = await remotes.connectOptions(id);
  // The server's headers (tokens) go only to the server's own host: a metrics URL elsewhere (or a typo) gets none.
  const sameHost = new URL(metricsUrl).hostname === new URL(url.replace(/^grpc/, 'http')).hostname;
  const text = await host.remote.fetchText(metricsUrl, { ...opts, headers: sameHost ? headers : {} });
  return snapshotFromExposition(parsePrometheusText(text), metricsUrl, Date.now());
}

async function scrapeLocal(lab: Lab, repoId: string, host: HostCapabilities): Promise<MetricsSnapshot> {
  const name = lab.info(repoId).name;
  const status = host.serving?.status();
  if (!status || status.state !== 'running' || status.repoId !== repoId || !status.metrics) {
    throw new LabError('UNAVAILABLE', `'${name}' is not being served; start serving it to see its metrics`);
  }
  if (!host.remote) throw new LabError('UNSUPPORTED', 'this host cannot scrape metrics');
  const url = loopbackMetricsUrl(status.metrics);
  const text = await host.remote.fetchText(url, { headers: {}, timeoutMs: LOCAL_SCRAPE_TIMEOUT_MS });
  return snapshotFromExposition(parsePrometheusText(text), url, Date.now());
}

/**
 * `remotes` gives the remote registry (absent: remote ids answer UNSUPPORTED); the Lab wires it
 * once the registry exists.
 */
export function createMetricsHandlers(lab: Lab, host: HostCapabilities, remotes?: () => RemoteMetricsSource | undefined): Pick<LabHandlers, 'scrapeMetrics'> {
  return {
    scrapeMetrics: async (req) => {
      const repoId = str(payload(req), 'repoId', 256);
      if (repoId.startsWith('remote:')) return scrapeRemote(repoId, host, remotes?.());
      return scrapeLocal(lab, repoId, host);
    },
  };
}
