/**
 * The HTTP endpoint against the requests a hostile web page can make:
 * cross-origin POSTs (no-cors text/plain, the only kind that needs no
 * preflight), DNS rebinding (a foreign Host on a loopback port), cross-site
 * GETs; CORS for origins the user allowed; Triton's restricted APIs;
 * malformed percent-encoding. Triton's own clients, sending the headers they
 * really send, keep working.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { f32 } from '../../../engine/runtime/testing/models';
import { RESTRICTED_CATEGORIES, type RestrictedCategory, type Restrictions } from '../restricted';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';
import { TritonHttpClient } from './client';
import { head, rawRequest } from './raw-http';

const errorOf = (r: { body: Buffer } | undefined): string => (JSON.parse(r!.body.toString()) as { error: string }).error;

/** A binary inference request for `batching` ([1, 2] FP32), as tritonclient.http builds it. */
function binaryInfer(): { body: Buffer; json: number } {
  const { body, headers } = TritonHttpClient.encodeInfer([f32('INPUT0', [1, 2], [4, 5])]);
  return { body, json: Number(headers['Inference-Header-Content-Length']) };
}

describe('requests from web pages and DNS rebinding', () => {
  let f: ServeFixture;
  let port: number;

  beforeAll(async () => {
    f = await startServeFixture({ repo: { controlMode: 'explicit', startupModels: ['batching', 'id_fp32'] } });
    port = f.http!.port;
  }, 30_000);
  afterAll(() => f.close());

  it('a cross-origin no-cors text/plain POST to load is refused before anything loads', async () => {
    const coreLoad = vi.spyOn(f.core, 'load');
    const repoLoad = vi.spyOn(f.repo, 'load');
    const body = JSON.stringify({ parameters: { config: '{"backend":"python"}', 'file:1/model.py': Buffer.from('import os\n').toString('base64') } });
    const r = await rawRequest(
      port,
      head('POST', '/v2/repository/models/classifier/load', [
        ['Host', `127.0.0.1:${port}`],
        ['Origin', 'https://evil.example'],
        ['Content-Type', 'text/plain;charset=UTF-8'],
        ['Sec-Fetch-Site', 'cross-site'],
        ['Sec-Fetch-Mode', 'no-cors'],
        ['Content-Length', Buffer.byteLength(body)],
      ]),
      body,
    );
    expect(r?.status).toBe(403);
    expect(r?.headers['content-type']).toBe('application/json');
    expect(errorOf(r)).toBe("Origin 'https://evil.example' is not allowed: requests from web pages are refused unless their origin is listed with --http-allow-origin");
    expect(r?.headers['access-control-allow-origin']).toBeUndefined();
    expect(coreLoad).not.toHaveBeenCalled();
    expect(repoLoad).not.toHaveBeenCalled();
    expect(f.core.repositoryIndex(true).map((e) => e.name)).not.toContain('classifier');
    coreLoad.mockRestore();
    repoLoad.mockRestore();
  });

  it('a cross-origin inference is refused too, and so is a cross-site GET without Origin', async () => {
    const { body, json } = binaryInfer();
    const post = await rawRequest(
      port,
      head('POST', '/v2/models/batching/infer', [
        ['Host', `localhost:${port}`],
        ['Origin', 'http://localhost:3000'],
        ['Inference-Header-Content-Length', json],
        ['Content-Length', body.byteLength],
      ]),
      body,
    );
    expect(post?.status).toBe(403);
    const get = await rawRequest(
      port,
      head('GET', '/v2/models/batching/config', [
        ['Host', `127.0.0.1:${port}`],
        ['Sec-Fetch-Site', 'cross-site'],
        ['Sec-Fetch-Mode', 'no-cors'],
      ]),
    );
    expect(get?.status).toBe(403);
    expect(errorOf(get)).toMatch(/sent by a web page \(Sec-Fetch-Site: cross-site\)/);
  });

  it.each(['evil.example', `evil.example:PORT`, 'localhost.evil.example:PORT', '10.0.0.1:PORT', '[fe80::1]:PORT'])('Host %s on a loopback port is refused (DNS rebinding)', async (host) => {
    const r = await rawRequest(port, head('GET', '/v2/health/ready', [['Host', host.replace('PORT', String(port))]]));
    expect(r?.status).toBe(403);
    expect(errorOf(r)).toMatch(/^Host '.*' is not allowed: this server listens on a loopback address/);
  });

  it('a rebinding page cannot load either', async () => {
    const coreLoad = vi.spyOn(f.core, 'load');
    const r = await rawRequest(
      port,
      head('POST', '/v2/repository/models/classifier/load', [
        ['Host', `evil.example:${port}`],
        ['Content-Type', 'text/plain'],
        ['Content-Length', 0],
      ]),
    );
    expect(r?.status).toBe(403);
    expect(coreLoad).not.toHaveBeenCalled();
    coreLoad.mockRestore();
  });

  it('tritonclient.http (geventhttpclient): no Origin, Host 127.0.0.1:port or localhost:port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const { body, json } = binaryInfer();
      const r = await rawRequest(
        port,
        head('POST', '/v2/models/batching/infer', [
          ['User-Agent', 'python/gevent-http-client-2.3.1'],
          ['Host', host],
          ['Inference-Header-Content-Length', json],
          ['Content-Length', body.byteLength],
        ]),
        body,
      );
      expect(r?.status).toBe(200);
      expect(r?.headers['access-control-allow-origin']).toBeUndefined();
      const out = TritonHttpClient.decodeInfer({ status: 200, headers: r!.headers, body: r!.body });
      expect(Array.from(out.outputs[0]!.data as Float32Array)).toEqual([4, 5]);
    }
  });

  it('curl: JSON inference, health and a load in explicit mode', async () => {
    const curl = (method: string, path: string, body = ''): Promise<Awaited<ReturnType<typeof rawRequest>>> =>
      rawRequest(
        port,
        head(method, path, [
          ['Host', `127.0.0.1:${port}`],
          ['User-Agent', 'curl/8.5.0'],
          ['Accept', '*/*'],
          ...(body
            ? ([
                ['Content-Type', 'application/json'],
                ['Content-Length', Buffer.byteLength(body)],
              ] as [string, string | number][])
            : []),
        ]),
        body,
      );
    expect((await curl('GET', '/v2/health/ready'))?.status).toBe(200);
    const infer = await curl('POST', '/v2/models/id_fp32/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [2], datatype: 'FP32', data: [1, 2] }] }));
    expect(JSON.parse(infer!.body.toString()).outputs[0].data).toEqual([1, 2]);
    expect((await curl('POST', '/v2/repository/models/two_in/load'))?.status).toBe(200);
    expect(f.core.modelReady('two_in')).toBe(true);
  });

  it('perf_analyzer (libcurl): Host localhost:port, binary data, octet-stream', async () => {
    const { body, json } = binaryInfer();
    const r = await rawRequest(
      port,
      head('POST', '/v2/models/batching/infer', [
        ['Host', `localhost:${port}`],
        ['Accept', '*/*'],
        ['Inference-Header-Content-Length', json],
        ['Content-Type', 'application/octet-stream'],
        ['Content-Length', body.byteLength],
      ]),
      body,
    );
    expect(r?.status).toBe(200);
  });

  it('a browser tab the user opened (no Origin on a GET, Sec-Fetch-Site: none) may read metadata', async () => {
    const r = await rawRequest(
      port,
      head('GET', '/v2', [
        ['Host', `localhost:${port}`],
        ['Sec-Fetch-Site', 'none'],
        ['Sec-Fetch-Mode', 'navigate'],
      ]),
    );
    expect(r?.status).toBe(200);
  });
});

describe('origins the user allowed (--http-allow-origin)', () => {
  let f: ServeFixture;
  let port: number;
  const APP = 'http://localhost:3000';

  beforeAll(async () => {
    f = await startServeFixture({ http: { allowOrigins: [APP] } });
    port = f.http!.port;
  }, 30_000);
  afterAll(() => f.close());

  it('answers the preflight, then the request, with CORS headers for that origin only', async () => {
    const pre = await rawRequest(
      port,
      head('OPTIONS', '/v2/models/batching/infer', [
        ['Host', `127.0.0.1:${port}`],
        ['Origin', APP],
        ['Access-Control-Request-Method', 'POST'],
        ['Access-Control-Request-Headers', 'content-type,inference-header-content-length'],
      ]),
    );
    expect(pre?.status).toBe(204);
    expect(pre?.headers['access-control-allow-origin']).toBe(APP);
    expect(pre?.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(pre?.headers['access-control-allow-headers']).toBe('content-type,inference-header-content-length');
    expect(pre?.headers['vary']).toMatch(/Origin/);

    const { body, json } = binaryInfer();
    const r = await rawRequest(
      port,
      head('POST', '/v2/models/batching/infer', [
        ['Host', `127.0.0.1:${port}`],
        ['Origin', APP],
        ['Inference-Header-Content-Length', json],
        ['Content-Length', body.byteLength],
      ]),
      body,
    );
    expect(r?.status).toBe(200);
    expect(r?.headers['access-control-allow-origin']).toBe(APP);
    expect(r?.headers['access-control-expose-headers']).toMatch(/Inference-Header-Content-Length/);
    // Errors carry the header too, so the page can read them.
    const missing = await rawRequest(
      port,
      head('GET', '/v2/models/nope', [
        ['Host', `127.0.0.1:${port}`],
        ['Origin', APP],
      ]),
    );
    expect([missing?.status, missing?.headers['access-control-allow-origin']]).toEqual([404, APP]);
  });

  it('refuses the preflight and the request of any other origin', async () => {
    const pre = await rawRequest(
      port,
      head('OPTIONS', '/v2/models/batching/infer', [
        ['Host', `127.0.0.1:${port}`],
        ['Origin', 'http://localhost:3001'],
        ['Access-Control-Request-Method', 'POST'],
      ]),
    );
    expect(pre?.status).toBe(403);
    expect(pre?.headers['access-control-allow-origin']).toBeUndefined();
    expect(errorOf(pre)).toMatch(/^Origin 'http:\/\/localhost:3001' is not allowed/);
    const r = await rawRequest(
      port,
      head('GET', '/v2', [
        ['Host', `127.0.0.1:${port}`],
        ['Origin', 'null'],
      ]),
    );
    expect(r?.status).toBe(403);
  });
});

/** Every endpoint and the category Triton's http_server.cc checks for it. */
const ENDPOINTS: [string, string, RestrictedCategory][] = [
  ['GET', '/v2/health/live', 'health'],
  ['GET', '/v2/health/ready', 'health'],
  ['GET', '/v2/models/batching/ready', 'health'],
  ['GET', '/v2/models/batching/versions/1/ready', 'health'],
  ['GET', '/v2', 'metadata'],
  ['GET', '/v2/models/batching', 'metadata'],
  ['GET', '/v2/models/batching/versions/1', 'metadata'],
  ['POST', '/v2/models/batching/infer', 'inference'],
  ['POST', '/v2/models/batching/generate', 'inference'],
  ['POST', '/v2/models/batching/generate_stream', 'inference'],
  ['GET', '/v2/systemsharedmemory/status', 'shared-memory'],
  ['POST', '/v2/cudasharedmemory/region/r/unregister', 'shared-memory'],
  ['GET', '/v2/models/batching/config', 'model-config'],
  ['POST', '/v2/repository/index', 'model-repository'],
  ['POST', '/v2/repository/models/batching/load', 'model-repository'],
  ['POST', '/v2/repository/models/batching/unload', 'model-repository'],
  ['GET', '/v2/models/stats', 'statistics'],
  ['GET', '/v2/models/batching/stats', 'statistics'],
  ['GET', '/v2/trace/setting', 'trace'],
  ['GET', '/v2/models/batching/trace/setting', 'trace'],
  ['GET', '/v2/logging', 'logging'],
];

describe("Triton's restricted APIs (--http-restricted-api)", () => {
  let f: ServeFixture;
  let port: number;
  const restricted: Restrictions = Object.fromEntries(RESTRICTED_CATEGORIES.map((c) => [c, { header: `key-${c}`, value: `secret-${c}` }]));

  beforeAll(async () => {
    f = await startServeFixture({ http: { restricted } });
    port = f.http!.port;
  }, 30_000);
  afterAll(() => f.close());

  it.each(ENDPOINTS)('%s %s needs the %s header', async (method, path, category) => {
    const base: [string, string | number][] = [
      ['Host', `127.0.0.1:${port}`],
      ['Content-Length', 0],
    ];
    const none = await rawRequest(port, head(method, path, base));
    expect([none?.status, errorOf(none)]).toEqual([403, `This API is restricted, expecting header 'key-${category}'`]);
    const wrong = await rawRequest(port, head(method, path, [...base, [`key-${category}`, `secret-${category}x`]]));
    expect(wrong?.status).toBe(403);
    const other = RESTRICTED_CATEGORIES.find((c) => c !== category)!;
    const otherKey = await rawRequest(port, head(method, path, [...base, [`key-${other}`, `secret-${other}`]]));
    expect(otherKey?.status).toBe(403);
    const right = await rawRequest(port, head(method, path, [...base, [`KEY-${category.toUpperCase()}`, `secret-${category}`]]));
    expect(right?.status).not.toBe(403);
  });

  it('the restriction is checked before the method, as in Triton', async () => {
    const r = await rawRequest(port, head('GET', '/v2/models/batching/infer', [['Host', `127.0.0.1:${port}`]]));
    expect([r?.status, errorOf(r)]).toEqual([403, "This API is restricted, expecting header 'key-inference'"]);
  });

  it('unknown paths are still 404', async () => {
    const r = await rawRequest(port, head('GET', '/v2/nothing', [['Host', `127.0.0.1:${port}`]]));
    expect(r?.status).toBe(404);
  });
});

describe('malformed URLs', () => {
  let f: ServeFixture;
  beforeAll(async () => {
    f = await startServeFixture();
  }, 30_000);
  afterAll(() => f.close());

  it.each([
    ['GET', '/v2/models/%E0%A4%A/ready'],
    ['GET', '/v2/models/%zz'],
    ['GET', '/v2/models/%zz/config'],
    ['POST', '/v2/models/%E0%A4%A/infer'],
    ['POST', '/v2/repository/models/%zz/load'],
    ['POST', '/v2/repository/models/%E0%A4%A/unload'],
    ['GET', '/v2/models/%ff/trace/setting'],
  ])('%s %s answers 400 with an error body', async (method, path) => {
    const r = await rawRequest(
      f.http!.port,
      head(method, path, [
        ['Host', `127.0.0.1:${f.http!.port}`],
        ['Content-Length', 0],
      ]),
    );
    expect(r?.status).toBe(400);
    expect(errorOf(r)).toMatch(/^malformed percent-encoding in the request path/);
  });
});
