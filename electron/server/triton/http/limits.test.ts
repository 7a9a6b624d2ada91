/**
 * Memory and connections the HTTP endpoint will spend on one client, tried
 * with hostile bodies: a Content-Length larger than could be accepted, an
 * endless chunked body, a gzip bomb, many large uploads at once, a large
 * invalid JSON document, a thousand sockets that send headers and part of a
 * body and then stall, half-sent headers, more connections than the cap,
 * and clients that ask for large answers and never read them.
 */
import { gzipSync } from 'node:zlib';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { f32 } from '../../../engine/runtime/testing/models';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';
import { BodyBudget } from './body';
import { TritonHttpClient } from './client';
import { closedWithin, connect, head, parseResponse, rawRequest, readResponse } from './raw-http';

const errorOf = (r: { body: Buffer } | undefined): string => (JSON.parse(r!.body.toString()) as { error: string }).error;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const fixtures: ServeFixture[] = [];
const sockets: net.Socket[] = [];
async function serve(http: Parameters<typeof startServeFixture>[0] = {}): Promise<ServeFixture> {
  const f = await startServeFixture(http);
  fixtures.push(f);
  return f;
}
async function open(port: number): Promise<net.Socket> {
  const s = await connect(port);
  s.on('error', () => undefined);
  sockets.push(s);
  return s;
}
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

const KiB = 1024;
const MiB = 1024 * KiB;
const inferHead = (port: number, extra: [string, string | number][]) => head('POST', '/v2/models/batching/infer', [['Host', `127.0.0.1:${port}`], ...extra]);

describe('bodies are bounded before they are buffered', () => {
  it('a Content-Length over what could be accepted is answered at once, before any of the body is sent', async () => {
    const f = await serve({ http: { maxInputBytes: 64 * KiB, maxBodyBytes: MiB } });
    const port = f.http!.port;
    const cases: [[string, string | number][], string][] = [
      [[['Content-Length', 100 * MiB]], `request JSON size of ${100 * MiB} bytes exceeds the maximum allowed input size of ${64 * KiB} bytes. Use --http-max-input-size to increase the limit.`],
      [
        [
          ['Inference-Header-Content-Length', 0],
          ['Content-Length', 100 * MiB],
        ],
        `Raw input has a byte_size (${100 * MiB} bytes) that exceeds the maximum allowed value of ${64 * KiB} bytes. Use --http-max-input-size to increase the limit.`,
      ],
      [
        [
          ['Inference-Header-Content-Length', 100],
          ['Content-Length', 2 * MiB],
        ],
        `request body of ${2 * MiB} bytes exceeds the maximum allowed size of ${MiB} bytes for a request with binary data. Use --http-max-body-size to increase the limit.`,
      ],
    ];
    for (const [headers, message] of cases) {
      const s = await open(port);
      const reply = readResponse(s, 3000);
      s.write(inferHead(port, headers));
      const r = await reply;
      expect([r?.status, r && errorOf(r)]).toEqual([400, message]);
    }
    // Other endpoints read JSON bodies under the same cap.
    const s = await open(port);
    const reply = readResponse(s, 3000);
    s.write(
      head('POST', '/v2/repository/models/batching/load', [
        ['Host', `127.0.0.1:${port}`],
        ['Content-Length', MiB],
      ]),
    );
    expect((await reply)?.status).toBe(400);
  });

  it('a client that sends the oversized body anyway gets the answer, and its connection stays usable', async () => {
    const f = await serve({ http: { maxInputBytes: 64 * KiB } });
    const port = f.http!.port;
    const s = await open(port);
    const first = readResponse(s, 5000);
    s.write(inferHead(port, [['Content-Length', 256 * KiB]]));
    s.write(Buffer.alloc(256 * KiB, 0x20));
    expect((await first)?.status).toBe(400);
    const second = readResponse(s, 5000);
    s.write(head('GET', '/v2/health/ready', [['Host', `127.0.0.1:${port}`]]));
    expect((await second)?.status).toBe(200);
  });

  it('a chunked body is cut off as soon as it passes the cap', async () => {
    const f = await serve({ http: { maxInputBytes: 64 * KiB } });
    const port = f.http!.port;
    const s = await open(port);
    const reply = readResponse(s, 3000);
    s.write(inferHead(port, [['Transfer-Encoding', 'chunked']]));
    const chunk = Buffer.alloc(16 * KiB, 0x20);
    for (let i = 0; i < 8; i++) s.write(`${chunk.byteLength.toString(16)}\r\n${chunk.toString()}\r\n`);
    // No terminating chunk: the server must not wait for the end.
    const r = await reply;
    expect([r?.status, r && errorOf(r)]).toEqual([400, `request JSON size exceeds the maximum allowed input size of ${64 * KiB} bytes. Use --http-max-input-size to increase the limit.`]);
    expect(await closedWithin(s, 3000)).toBe(true);
  });

  it('a 1 MB gzip body that inflates to 1 GiB is refused having allocated little', async () => {
    const f = await serve({ http: { maxInputBytes: 8 * MiB } });
    const port = f.http!.port;
    // 1024 gzip members of 1 MiB of zeros each: about 1 MB on the wire.
    const member = gzipSync(Buffer.alloc(MiB));
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member));
    expect(bomb.byteLength).toBeLessThan(1.5 * MiB);
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakBuffers = before.arrayBuffers;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    }, 2);
    try {
      const s = await open(port);
      const reply = readResponse(s, 20_000);
      s.write(
        inferHead(port, [
          ['Content-Encoding', 'gzip'],
          ['Content-Length', bomb.byteLength],
        ]),
      );
      s.write(bomb);
      const r = await reply;
      expect([r?.status, r && errorOf(r)]).toEqual([400, `Decompressed data size exceeds the maximum allowed value of ${8 * MiB} bytes. Use --http-max-input-size to increase the limit.`]);
    } finally {
      clearInterval(sampler);
    }
    expect(peakBuffers - before.arrayBuffers).toBeLessThan(64 * MiB);
    expect(peakRss - before.rss).toBeLessThan(256 * MiB);
  }, 30_000);

  it('a compressed body within the cap still works', async () => {
    const f = await serve({ http: { maxInputBytes: 64 * KiB } });
    const json = JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'FP32', data: [7, 8] }] });
    const r = await new TritonHttpClient(f.url).request('POST', '/v2/models/batching/infer', gzipSync(json), { 'Content-Encoding': 'gzip' });
    expect(JSON.parse(r.body.toString()).outputs[0].data).toEqual([7, 8]);
  });

  it('many large uploads at once: past the server-wide budget they get 503, and the budget comes back', async () => {
    const f = await serve({ http: { maxInputBytes: 200 * KiB, bodyBudgetBytes: 256 * KiB } });
    const port = f.http!.port;
    const a = await open(port);
    a.write(inferHead(port, [['Content-Length', 190 * KiB]]));
    a.write(Buffer.alloc(150 * KiB, 0x20));
    await sleep(100);
    const b = await open(port);
    const refused = readResponse(b, 3000);
    b.write(inferHead(port, [['Content-Length', 190 * KiB]]));
    b.write(Buffer.alloc(150 * KiB, 0x20));
    const r = await refused;
    expect(r?.status).toBe(503);
    expect(errorOf(r)).toMatch(/^Server is busy: request bodies being received already hold \d+ of 262144 bytes; retry later$/);
    a.destroy();
    b.destroy();
    await sleep(100);
    const ok = await new TritonHttpClient(f.url).infer('batching', [f32('INPUT0', [1, 2], [1, 2])]);
    expect(ok.outputs[0]!.shape).toEqual([1, 2]);
  });

  it('a large invalid JSON body is answered in linear time, in RapidJSON words', async () => {
    const f = await serve();
    const port = f.http!.port;
    const n = 20_000_000;
    const prefix = '{"inputs":[{"name":"INPUT0","shape":[1,' + (n + 1) + '],"datatype":"FP32","data":[NaN';
    const body = prefix + ',1'.repeat(n) + ',]}]}';
    const s = await open(port);
    const reply = readResponse(s, 3000);
    s.write(inferHead(port, [['Content-Length', body.length]]));
    s.write(body);
    const r = await reply;
    expect(r?.status).toBe(500);
    expect(errorOf(r)).toBe(`failed to parse the request JSON buffer: Invalid value. at ${body.length - 4}`);
  }, 20_000);
});

describe('connections cannot hold the server hostage', () => {
  it('a thousand sockets stalled mid-body take no inference slot, and are closed after the body timeout', async () => {
    const f = await serve({ core: { maxInflight: 3 }, http: { bodyTimeoutMs: 2000 } });
    const port = f.http!.port;
    const stalled: net.Socket[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const opened = await Promise.all(Array.from({ length: 100 }, () => open(port)));
      for (const s of opened) s.write(inferHead(port, [['Content-Length', 100]]) + '{"inputs":');
      stalled.push(...opened);
    }
    await sleep(200);
    const client = new TritonHttpClient(f.url);
    const r = await client.infer('batching', [f32('INPUT0', [1, 2], [3, 4])]);
    expect(Array.from(r.outputs[0]!.data as Float32Array)).toEqual([3, 4]);
    client.close();
    const closed = await Promise.all(stalled.map((s) => closedWithin(s, 6000)));
    expect(closed.filter((c) => !c).length).toBe(0);
  }, 30_000);

  it('requests the HTTP parser refuses get a JSON error body too', async () => {
    const f = await serve();
    const port = f.http!.port;
    const garbage = await rawRequest(port, 'GARBAGE\r\n\r\n');
    expect([garbage?.status, garbage?.headers['content-type'], garbage && errorOf(garbage)]).toEqual([400, 'application/json', expect.stringMatching(/^malformed HTTP request: /)]);
    const huge = await rawRequest(
      port,
      head('GET', '/v2', [
        ['Host', 'localhost'],
        ['X-Filler', 'x'.repeat(20_000)],
      ]),
    );
    expect([huge?.status, huge && errorOf(huge)]).toEqual([431, 'request headers are too large']);
  });

  it('a request whose body is late gets 408 with an error body', async () => {
    const f = await serve({ http: { bodyTimeoutMs: 300 } });
    const port = f.http!.port;
    const s = await open(port);
    const reply = readResponse(s, 3000);
    s.write(inferHead(port, [['Content-Length', 100]]) + '{');
    const r = await reply;
    expect([r?.status, r && errorOf(r)]).toEqual([408, 'request body not received within 0.3 s (--http-body-timeout-secs)']);
    expect(await closedWithin(s, 2000)).toBe(true);
  });

  it('half-sent headers are answered 408 and closed after the header timeout', async () => {
    const f = await serve({ http: { headerTimeoutMs: 300 } });
    const port = f.http!.port;
    const s = await open(port);
    const reply = readResponse(s, 3000);
    s.write(`POST /v2/models/batching/infer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const r = await reply;
    expect([r?.status, r && errorOf(r)]).toEqual([408, 'request headers not received within 0.3 s (--http-header-timeout-secs)']);
    expect(await closedWithin(s, 3000)).toBe(true);
    const idle = await open(port);
    expect(await closedWithin(idle, 3000)).toBe(true);
  });

  it('past the connection cap, the oldest stalled connections make room: a new client always gets in', async () => {
    const f = await serve({ http: { maxConnections: 20 } });
    const port = f.http!.port;
    const stalled: net.Socket[] = [];
    for (let i = 0; i < 30; i++) {
      const s = await open(port);
      s.write(inferHead(port, [['Content-Length', 100]]) + '{');
      stalled.push(s);
      await sleep(5);
    }
    const closed = await Promise.all(stalled.map((s) => closedWithin(s, 1000)));
    expect(closed.slice(0, 10).every(Boolean)).toBe(true);
    expect(closed.slice(-5).some(Boolean)).toBe(false);
    const client = new TritonHttpClient(f.url);
    expect(await client.ready()).toBe(true);
    client.close();
  });

  it('a slow inference in flight is never evicted to make room', async () => {
    const f = await serve({ http: { maxConnections: 2 } });
    const port = f.http!.port;
    const client = new TritonHttpClient(f.url, { maxSockets: 1 });
    const slow = client.infer('slow', [f32('IN', [1], [500])]);
    await sleep(100);
    const waiting = await open(port);
    await sleep(50);
    // At the cap: the waiting connection makes room, the busy one does not.
    const r = await rawRequest(port, head('GET', '/v2/health/live', [['Host', 'localhost']]));
    expect(r?.status).toBe(200);
    expect(await closedWithin(waiting, 1000)).toBe(true);
    expect((await slow).outputs[0]!.shape).toEqual([1]);
    client.close();
  });
});

/** A binary-data inference on id_fp32 of `bytes` bytes whose output comes back as binary data too. */
function bigInfer(port: number, bytes: number): Buffer {
  const json = Buffer.from(
    JSON.stringify({
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [bytes / 4], parameters: { binary_data_size: bytes } }],
      outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
    }),
  );
  const h = head('POST', '/v2/models/id_fp32/infer', [
    ['Host', `127.0.0.1:${port}`],
    ['Inference-Header-Content-Length', json.byteLength],
    ['Content-Length', json.byteLength + bytes],
  ]);
  return Buffer.concat([Buffer.from(h), json, Buffer.alloc(bytes)]);
}

/** Waits until the budget holds at least `bytes` (or `ms` pass). */
async function heldWithin(budget: BodyBudget, bytes: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (budget.inUse < bytes && Date.now() < deadline) await sleep(20);
}

/** Opens a socket, sends the request, and never reads a byte of the answer. */
async function neverReads(port: number, request: Buffer): Promise<net.Socket> {
  const s = await open(port);
  s.pause();
  s.write(request);
  return s;
}

/** Tries `GET /v2/health/live` on fresh connections until `ms` have passed; the first status seen, or undefined. */
async function liveWithin(port: number, ms: number): Promise<number | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const r = await rawRequest(port, head('GET', '/v2/health/live', [['Host', `127.0.0.1:${port}`]])).catch(() => undefined);
    if (r?.status) return r.status;
    await sleep(200);
  }
  return undefined;
}

/** Sends `request` on fresh connections until one is answered `status` or `ms` have passed; the last status seen. */
async function statusWithin(port: number, request: Buffer, status: number, ms: number): Promise<number | undefined> {
  const deadline = Date.now() + ms;
  let last: number | undefined;
  while (Date.now() < deadline) {
    last = (await rawRequest(port, request.toString('latin1')).catch(() => undefined))?.status;
    if (last === status) break;
    await sleep(200);
  }
  return last;
}

describe('answers nobody reads (slow readers)', () => {
  // 32 MiB answers: more than loopback's socket buffers take, so the server's write never completes.
  it('connections whose large answers are never read make room at the connection cap', async () => {
    const f = await serve({ http: { maxConnections: 4, headerTimeoutMs: 500, bodyTimeoutMs: 2000 } });
    const port = f.http!.port;
    for (let i = 0; i < 4; i++) {
      await neverReads(port, bigInfer(port, 32 * MiB));
      await sleep(300);
    }
    await sleep(2500);
    // Every header/body timeout has passed several times; a well-behaved client must get in.
    expect(await liveWithin(port, 6000)).toBe(200);
  }, 30_000);

  it("a request's body stops counting against the budget once its answer is ready", async () => {
    const f = await serve({ http: { bodyBudgetBytes: 100 * MiB, headerTimeoutMs: 500, bodyTimeoutMs: 2000 } });
    const port = f.http!.port;
    // Three stuck exchanges: 3 × 16 MiB of answers held (with their bodies, 96 MiB would be held).
    for (let i = 0; i < 3; i++) {
      await neverReads(port, bigInfer(port, 16 * MiB));
      await sleep(300);
    }
    await sleep(2500);
    expect(await statusWithin(port, bigInfer(port, 8 * MiB), 200, 6000)).toBe(200);
  }, 30_000);

  it('an answer its client reads none of is cut off after the send timeout, and its share of the budget comes back', async () => {
    const budget = new BodyBudget(30 * MiB);
    const f = await serve({ http: { budget, sendTimeoutMs: 1000 } });
    const port = f.http!.port;
    const request = bigInfer(port, 16 * MiB);
    const stuck = await neverReads(port, request);
    // On a busy machine the stuck request can be worked on after later ones: start once its answer holds its share.
    await heldWithin(budget, 16 * MiB, 10_000);
    // While the stuck answer holds 16 MiB, another 16 MiB body does not fit.
    expect(await statusWithin(port, request, 503, 5000)).toBe(503);
    // After the send timeout its connection is closed and the budget is back.
    expect(await statusWithin(port, request, 200, 8000)).toBe(200);
    let received = 0;
    stuck.on('data', (c: Buffer) => (received += c.byteLength));
    expect(await closedWithin(stuck, 3000)).toBe(true);
    expect(received).toBeLessThan(16 * MiB);
  }, 30_000);

  it('a client that reads its answer slowly but steadily gets all of it, however long that takes', async () => {
    const f = await serve({ http: { sendTimeoutMs: 1000 } });
    const port = f.http!.port;
    const s = await open(port);
    let buf = Buffer.alloc(0);
    const answer = new Promise<ReturnType<typeof parseResponse>>((resolve) => {
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        const r = parseResponse(buf);
        if (r) return resolve(r);
        // About 4 MiB/s: the answer takes several send timeouts to arrive.
        s.pause();
        setTimeout(() => s.resume(), 15);
      });
      s.on('close', () => resolve(parseResponse(buf)));
    });
    s.write(bigInfer(port, 8 * MiB));
    const r = await answer;
    expect([r?.status, r?.body.byteLength]).toEqual([200, Number(r?.headers['content-length'])]);
    expect(r!.body.byteLength).toBeGreaterThan(8 * MiB);
  }, 30_000);
});
