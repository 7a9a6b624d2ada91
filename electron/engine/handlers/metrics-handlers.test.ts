/** scrapeMetrics: the lab's own serving (real loopback HTTP), a remote server through a fake registry and fetchText, and the errors. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServeStatus } from '../../contract/lab-api';
import { Lab } from '../lab';
import { createLabHandlers, dispatch, type HostCapabilities, type ServeControl } from '../lab-handlers';
import { TempDirs } from '../repository/testing/temp-repo';
import { browserHost } from '../testing/host';
import { fetchLocalText } from '../metrics/local-fetch';
import type { RemoteHost, TritonConnectOptions } from '../remote/types';
import { createMetricsHandlers, loopbackMetricsUrl, type RemoteMetricsSource } from './metrics-handlers';

const TEXT = ['# TYPE nv_inference_request_success counter', 'nv_inference_request_success{model="m",version="1"} 5', 'nv_gpu_utilization{gpu_uuid="GPU-1"} 0.5', ''].join('\n');

const temp = new TempDirs();
const labs: Lab[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  temp.cleanup();
});

async function textServer(answer: (res: http.ServerResponse) => void): Promise<number> {
  const server = http.createServer((_req, res) => answer(res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
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
    const port = await textServer((res) => res.end(TEXT));
    const { lab, repoId } = await setup();
    const h = createLabHandlers(lab, browserHost({}, { serving: serving({ repoId, metrics: `http://0.0.0.0:${port}/metrics` }) }));
    const s = await h.scrapeMetrics({ repoId });
    expect(s.url).toBe(`http://127.0.0.1:${port}/metrics`);
    expect(s.models).toEqual([expect.objectContaining({ model: 'm', version: '1', success: 5 })]);
    expect(s.gpus).toEqual([{ uuid: 'GPU-1', utilization: 0.5 }]);
    expect(Math.abs(s.time - Date.now())).toBeLessThan(5000);
  });

  it('says to serve a repository that is not served, or served as another one', async () => {
    const { lab, repoId } = await setup();
    for (const host of [
      browserHost(),
      browserHost({}, { serving: serving({ state: 'stopped' }) }),
      browserHost({}, { serving: serving({ repoId: 'other', metrics: 'http://127.0.0.1:1/metrics' }) }),
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

  it('turns a broken answer into a protocol error, and a closed port into a refused one', async () => {
    const { lab, repoId } = await setup();
    const scrape = (metrics: string) => dispatch(createLabHandlers(lab, browserHost({}, { serving: serving({ repoId, metrics }) })), 'scrapeMetrics', { repoId });
    const html = await textServer((res) => res.end('<html>hello</html>'));
    await expect(scrape(`http://127.0.0.1:${html}/metrics`)).rejects.toMatchObject({ reason: 'REMOTE_PROTOCOL', message: expect.stringMatching(/line 1: not a sample/) });
    const missing = await textServer((res) => {
      res.statusCode = 404;
      res.end('no');
    });
    await expect(scrape(`http://127.0.0.1:${missing}/metrics`)).rejects.toThrow(/answered HTTP 404/);
    const closed = await textServer(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    await expect(scrape(`http://127.0.0.1:${closed}/metrics`)).rejects.toMatchObject({ reason: 'REMOTE_REFUSED' });
  });
});

describe('scrapeMetrics, remote servers', () => {
  function remoteHost(text: string, seen: { url?: string; opts?: Omit<TritonConnectOptions, 'url'> }): RemoteHost {
    return {
      connect: () => {
        throw new Error('not used');
      },
      fetchText: (url, opts) => {
        seen.url = url;
        seen.opts = opts;
        return Promise.resolve(text);
      },
      credentials: { kind: 'memory', get: () => Promise.resolve({}), set: () => Promise.resolve(), delete: () => Promise.resolve() },
    };
  }
  const registry: RemoteMetricsSource = {
    connectOptions: (id) => {
      if (id !== 'remote:1') return Promise.reject(Object.assign(new Error(`no remote server '${id}'`), { code: 'NOT_FOUND' }));
      return { url: 'https://gpu:8000', headers: { authorization: 'Bearer s3cret' }, caPem: 'PEM', timeoutMs: 3000, metricsUrl: 'https://gpu:8002/metrics' };
    },
  };

  it("fetches the server's metrics URL with its headers and TLS options", async () => {
    const seen: { url?: string; opts?: Omit<TritonConnectOptions, 'url'> } = {};
    const h = createMetricsHandlers(new Lab(), browserHost({}, { remote: remoteHost(TEXT, seen) }), () => registry);
    const s = await h.scrapeMetrics({ repoId: 'remote:1' });
    expect(seen).toEqual({ url: 'https://gpu:8002/metrics', opts: { headers: { authorization: 'Bearer s3cret' }, caPem: 'PEM', timeoutMs: 3000 } });
    expect(s.url).toBe('https://gpu:8002/metrics');
    expect(s.models[0]).toMatchObject({ model: 'm', success: 5 });
    await expect(h.scrapeMetrics({ repoId: 'remote:9' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses remote ids where the host has no remote clients or registry', async () => {
    const noRegistry = createMetricsHandlers(new Lab(), browserHost({}, { remote: remoteHost(TEXT, {}) }));
    await expect(noRegistry.scrapeMetrics({ repoId: 'remote:1' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const noHost = createMetricsHandlers(new Lab(), browserHost(), () => registry);
    await expect(noHost.scrapeMetrics({ repoId: 'remote:1' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('refuses hostile metrics text from a remote server', async () => {
    const h = createMetricsHandlers(new Lab(), browserHost({}, { remote: remoteHost('m{a="\\q"} 1', {}) }), () => registry);
    await expect(h.scrapeMetrics({ repoId: 'remote:1' })).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'REMOTE_PROTOCOL' });
  });
});

describe('fetchLocalText', () => {
  it('times out on a server that accepts and never answers, and refuses an endless body', async () => {
    const silent = await textServer(() => undefined);
    await expect(fetchLocalText(`http://127.0.0.1:${silent}/metrics`, 200)).rejects.toMatchObject({ reason: 'REMOTE_TIMEOUT', message: expect.stringMatching(/did not answer within 200 ms/) });
    const endless = await textServer((res) => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await expect(fetchLocalText(`http://127.0.0.1:${endless}/metrics`, 5000, 1024 * 1024)).rejects.toMatchObject({
      reason: 'REMOTE_PROTOCOL',
      message: expect.stringMatching(/larger than 1048576 bytes/),
    });
  });
});

describe('loopbackMetricsUrl', () => {
  it('asks a wildcard listener on loopback and leaves other hosts alone', () => {
    expect(loopbackMetricsUrl('http://0.0.0.0:8002/metrics')).toBe('http://127.0.0.1:8002/metrics');
    expect(loopbackMetricsUrl('http://[::]:8002/metrics')).toBe('http://[::1]:8002/metrics');
    expect(loopbackMetricsUrl('http://10.0.0.5:8002/metrics')).toBe('http://10.0.0.5:8002/metrics');
  });
});
