/**
 * scrapeMetrics: the lab's own serving (its metrics URL on loopback) and a remote server through a fake
 * registry, both read through the host's fetchText (a fake here; the real one's HTTP failures are
 * tested in server/remote/failures.test.ts, a real scrape in server/triton/metrics/scrape-snapshot.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServeStatus } from '../../contract/lab-api';
import { LabError } from '../errors';
import { Lab } from '../lab';
import { createLabHandlers, dispatch, type HostCapabilities, type ServeControl } from '../lab-handlers';
import { TempDirs } from '../repository/testing/temp-repo';
import { browserHost } from '../testing/host';
import type { RemoteHost, TritonConnectOptions } from '../remote/types';
import { createMetricsHandlers, LOCAL_SCRAPE_TIMEOUT_MS, loopbackMetricsUrl, type RemoteMetricsSource } from './metrics-handlers';

const TEXT = ['# TYPE nv_inference_request_success counter', 'nv_inference_request_success{model="m",version="1"} 5', 'nv_gpu_utilization{gpu_uuid="GPU-1"} 0.5', ''].join('\n');

const temp = new TempDirs();
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  temp.cleanup();
});

type Seen = { url?: string; opts?: Omit<TritonConnectOptions, 'url'> };

/** A host whose fetchText answers `text` (or fails with it) and records what it was asked. */
function textHost(text: string | Error, seen: Seen = {}): RemoteHost {
  return {
    connect: () => {
      throw new Error('not used');
    },
    fetchText: (url, opts) => {
      seen.url = url;
      seen.opts = opts;
      return typeof text === 'string' ? Promise.resolve(text) : Promise.reject(text);
    },
    credentials: { kind: 'memory', get: () => Promise.resolve({}), set: () => Promise.resolve(), delete: () => Promise.resolve() },
  };
}

function serving(status: Partial<ServeStatus>): ServeControl {
  const full: ServeStatus = { available: true, state: 'running', inFlight: 0, settings: { host: '0.0.0.0', httpPort: 0, grpcPort: 0, metricsPort: 0, modelControl: false }, ...status };
  return { status: () => full, start: () => Promise.resolve(full), stop: () => Promise.resolve(full) };
}

async function setup(extra: Partial<HostCapabilities> = {}) {
  const d = await temp.make({ 'm/config.pbtxt': 'backend: "identity"' });
  const lab = new Lab({ repository: { runtime: false } });
  labs.push(lab);
  const info = await createLabHandlers(lab, browserHost()).openRepository({ path: d.root });
  return { lab, repoId: info.id, h: createLabHandlers(lab, browserHost({}, extra)) };
}

describe('scrapeMetrics, local repositories', () => {
  it("scrapes the lab's own serving on loopback when it serves that repository", async () => {
    const seen: Seen = {};
    const { lab, repoId } = await setup();
    const h = createLabHandlers(lab, browserHost({}, { serving: serving({ repoId, metrics: 'http://0.0.0.0:8002/metrics' }), remote: textHost(TEXT, seen) }));
    const s = await h.scrapeMetrics({ repoId });
    expect(seen).toEqual({ url: 'http://127.0.0.1:8002/metrics', opts: { headers: {}, timeoutMs: LOCAL_SCRAPE_TIMEOUT_MS } });
    expect(s.url).toBe('http://127.0.0.1:8002/metrics');
    expect(s.models).toEqual([expect.objectContaining({ model: 'm', version: '1', success: 5 })]);
    expect(s.gpus).toEqual([{ uuid: 'GPU-1', utilization: 0.5 }]);
    expect(Math.abs(s.time - Date.now())).toBeLessThan(5000);
  });

  it('says to serve a repository that is not served, or served as another one', async () => {
    const { lab, repoId } = await setup();
    for (const host of [
      browserHost({}, { remote: textHost(TEXT) }),
      browserHost({}, { serving: serving({ state: 'stopped' }), remote: textHost(TEXT) }),
      browserHost({}, { serving: serving({ repoId: 'other', metrics: 'http://127.0.0.1:1/metrics' }), remote: textHost(TEXT) }),
    ]) {
      const err = dispatch(createLabHandlers(lab, host), 'scrapeMetrics', { repoId });
      await expect(err).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(err).rejects.toThrow(/is not being served; start serving it to see its metrics/);
    }
  });

  it('checks the payload and refuses an unknown repository', async () => {
    const { h } = await setup();
    await expect(dispatch(h, 'scrapeMetrics', {})).rejects.toThrow("'repoId' must be a non-empty string");
    await expect(dispatch(h, 'scrapeMetrics', { repoId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("turns a broken answer into a protocol error and passes fetchText's failures on; no remote clients, no scrape", async () => {
    const { lab, repoId } = await setup();
    const metrics = 'http://127.0.0.1:8002/metrics';
    const scrape = (remote?: RemoteHost) => dispatch(createLabHandlers(lab, browserHost({}, { serving: serving({ repoId, metrics }), ...(remote ? { remote } : {}) })), 'scrapeMetrics', { repoId });
    await expect(scrape(textHost('<html>hello</html>'))).rejects.toMatchObject({ reason: 'REMOTE_PROTOCOL', message: expect.stringMatching(/line 1: not a sample/) });
    const refused = new LabError('UNAVAILABLE', `nothing is listening at ${metrics}`, { reason: 'REMOTE_REFUSED' });
    await expect(scrape(textHost(refused))).rejects.toBe(refused);
    await expect(scrape()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('scrapeMetrics, remote servers', () => {
  const registry: RemoteMetricsSource = {
    connectOptions: (id) => {
      if (id !== 'remote:1') return Promise.reject(Object.assign(new Error(`no remote server '${id}'`), { code: 'NOT_FOUND' }));
      return { url: 'https://gpu:8000', headers: { authorization: 'Bearer s3cret' }, caPem: 'PEM', timeoutMs: 3000, metricsUrl: 'https://gpu:8002/metrics' };
    },
  };

  it("fetches the server's metrics URL with its headers and TLS options", async () => {
    const seen: Seen = {};
    const h = createMetricsHandlers(new Lab(), browserHost({}, { remote: textHost(TEXT, seen) }), () => registry);
    const s = await h.scrapeMetrics({ repoId: 'remote:1' });
    expect(seen).toEqual({ url: 'https://gpu:8002/metrics', opts: { headers: { authorization: 'Bearer s3cret' }, caPem: 'PEM', timeoutMs: 3000 } });
    expect(s.url).toBe('https://gpu:8002/metrics');
    expect(s.models[0]).toMatchObject({ model: 'm', success: 5 });
    await expect(h.scrapeMetrics({ repoId: 'remote:9' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("sends the server's headers to a metrics URL on another host never (a token would leak to it)", async () => {
    const seen: Seen = {};
    const elsewhere: RemoteMetricsSource = {
      connectOptions: () => ({ url: 'grpcs://gpu:8001', headers: { authorization: 'Bearer s3cret' }, timeoutMs: 3000, metricsUrl: 'https://prometheus.example:9090/metrics' }),
    };
    const h = createMetricsHandlers(new Lab(), browserHost({}, { remote: textHost(TEXT, seen) }), () => elsewhere);
    await h.scrapeMetrics({ repoId: 'remote:1' });
    expect(seen).toEqual({ url: 'https://prometheus.example:9090/metrics', opts: { headers: {}, timeoutMs: 3000 } });
    const sameHost: RemoteMetricsSource = { connectOptions: () => ({ url: 'grpcs://gpu:8001', headers: { authorization: 'Bearer s3cret' }, timeoutMs: 3000, metricsUrl: 'https://gpu:8002/metrics' }) };
    await createMetricsHandlers(new Lab(), browserHost({}, { remote: textHost(TEXT, seen) }), () => sameHost).scrapeMetrics({ repoId: 'remote:1' });
    expect(seen.opts).toMatchObject({ headers: { authorization: 'Bearer s3cret' } });
  });

  it('refuses remote ids where the host has no remote clients or registry', async () => {
    const noRegistry = createMetricsHandlers(new Lab(), browserHost({}, { remote: textHost(TEXT) }));
    await expect(noRegistry.scrapeMetrics({ repoId: 'remote:1' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const noHost = createMetricsHandlers(new Lab(), browserHost(), () => registry);
    await expect(noHost.scrapeMetrics({ repoId: 'remote:1' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('refuses hostile metrics text from a remote server', async () => {
    const h = createMetricsHandlers(new Lab(), browserHost({}, { remote: textHost('m{a="\\q"} 1') }), () => registry);
    await expect(h.scrapeMetrics({ repoId: 'remote:1' })).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'REMOTE_PROTOCOL' });
  });
});

describe('loopbackMetricsUrl', () => {
  it('asks a wildcard listener on loopback and leaves other hosts alone', () => {
    expect(loopbackMetricsUrl('http://0.0.0.0:8002/metrics')).toBe('http://127.0.0.1:8002/metrics');
    expect(loopbackMetricsUrl('http://[::]:8002/metrics')).toBe('http://[::1]:8002/metrics');
    expect(loopbackMetricsUrl('http://10.0.0.5:8002/metrics')).toBe('http://10.0.0.5:8002/metrics');
  });
});
