/**
 * What the gRPC endpoint will spend on hostile clients, tried with raw
 * HTTP/2: many calls each holding almost all of a large message, a message
 * that stops arriving, a unary call that never ends its request, more
 * streams on one connection than allowed, more connections than the cap,
 * and answers nobody reads. Well-behaved clients (grpc-js, as tritonclient
 * speaks it) keep working throughout.
 */
import http2 from 'node:http2';
import { toBinary, create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Tensor } from '../../../engine/tensor/tensor';
import type { TritonCore } from '../core';
import { identityCore } from './testing/fixtures';
import { BodyBudget } from '../http/body';
import { createGrpcClient, inferRequest } from './client';
import { ModelInferRequestSchema } from './gen/grpc_service_pb';
import { type GrpcServerOptions, type RunningGrpcServer, startGrpcServer } from './server';

const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INFER = '/inference.GRPCInferenceService/ModelInfer';
const STREAM = '/inference.GRPCInferenceService/ModelStreamInfer';

let fixture: Awaited<ReturnType<typeof identityCore>>;
let core: TritonCore;
beforeAll(async () => {
  fixture = await identityCore();
  core = fixture.core;
});
afterAll(async () => {
  await fixture?.close();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(opts: Partial<GrpcServerOptions> = {}): Promise<RunningGrpcServer> {
  const server = await startGrpcServer(core, { host: '127.0.0.1', port: 0, ...opts });
  cleanups.push(() => server.close(false));
  return server;
}

function session(port: number): http2.ClientHttp2Session {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  s.on('error', () => undefined);
  cleanups.push(() => s.destroy());
  return s;
}

function client(port: number): ReturnType<typeof createGrpcClient> {
  const c = createGrpcClient(`127.0.0.1:${port}`);
  cleanups.push(() => c.close());
  return c;
}

/** A call opened on a raw HTTP/2 session; `ended` resolves with its grpc-status (or 'reset') when the server ends it. */
function rawCall(s: http2.ClientHttp2Session, path = INFER): { stream: http2.ClientHttp2Stream; ended: Promise<string> } {
  const stream = s.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
  let code: string | undefined;
  stream.on('error', () => undefined);
  stream.on('response', (h) => (code ??= h['grpc-status'] as string | undefined));
  stream.on('trailers', (h) => (code ??= h['grpc-status'] as string | undefined));
  const ended = new Promise<string>((resolve) => stream.on('close', () => resolve(code ?? 'reset')));
  return { stream, ended };
}

/** A gRPC frame header announcing a message of `size` bytes. */
function prefix(size: number): Buffer {
  const p = Buffer.alloc(5);
  p.writeUInt32BE(size, 1);
  return p;
}

/** A whole framed ModelInferRequest for id_fp32. */
function framedInfer(n: number): Buffer {
  const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [n], data: new Float32Array(n) };
  const body = toBinary(ModelInferRequestSchema, create(ModelInferRequestSchema, inferRequest('id_fp32', [x])));
  return Buffer.concat([prefix(body.byteLength), body]);
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(50);
  }
  return check();
}

/** ServerLive on a new connection (grpc-js clients share connections): its grpc-status, or 'reset' if the connection was refused. */
function liveOnNewConnection(port: number): Promise<string> {
  const c = rawCall(session(port), '/inference.GRPCInferenceService/ServerLive');
  c.stream.end(prefix(0));
  c.stream.resume();
  return Promise.race([c.ended, sleep(3000).then(() => 'no answer')]);
}

const x = (n = 2): Tensor => ({ name: 'INPUT0', dtype: 'FP32', shape: [n], data: new Float32Array(n) });

describe('request bytes held at once are bounded server-wide', () => {
  it('40 calls stalled 1 byte before the end of a 60 MiB message hold no more than the budget; the rest are refused', async () => {
    const budget = new BodyBudget(256 * MiB);
    const server = await serve({ budget });
    const s = session(server.port);
    const payload = Buffer.alloc(60 * MiB - 1);
    const before = process.memoryUsage().arrayBuffers;
    const calls = Array.from({ length: 40 }, () => {
      const c = rawCall(s);
      c.stream.write(prefix(60 * MiB));
      c.stream.write(payload);
      return c;
    });
    // The client's own session is too busy sending to notice its calls end: count the refusals where they happen.
    const take = budget.take.bind(budget);
    let refused = 0;
    vi.spyOn(budget, 'take').mockImplementation((n) => take(n) || (refused++, false));
    let held = 0;
    let peak = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && refused < 36) {
      await sleep(100);
      held = Math.max(held, process.memoryUsage().arrayBuffers - before);
      peak = Math.max(peak, budget.inUse);
    }
    await sleep(500);
    // Four 60 MiB messages fit in 256 MiB; every other call is refused.
    expect(refused).toBe(36);
    expect(calls).toHaveLength(40);
    expect(peak).toBeLessThanOrEqual(256 * MiB);
    expect(held).toBeLessThan(640 * MiB);
    // A well-behaved client still gets in with what is left.
    expect((await client(server.port).modelInfer(inferRequest('id_fp32', [x(4)]))).outputs).toHaveLength(1);
  }, 60_000);

  it('refused calls end RESOURCE_EXHAUSTED, in the server-busy words', async () => {
    const budget = new BodyBudget(MiB);
    const server = await serve({ budget });
    const err = await client(server.port)
      .modelInfer(inferRequest('id_fp32', [x(MiB / 2)]))
      .then(
        () => undefined,
        (e: { code: number; details: string }) => e,
      );
    expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(err?.details).toMatch(/^Server is busy: request messages being received already hold \d+ of 1048576 bytes; retry later$/);
    await until(() => budget.inUse === 0, 2000);
    expect(budget.inUse).toBe(0);
  });

  it("a stream's requests count until they are answered, and the budget is whole again after", async () => {
    const budget = new BodyBudget(64 * MiB);
    const server = await serve({ budget });
    const stream = client(server.port).stream();
    for (let i = 0; i < 20; i++) stream.send(inferRequest('id_fp32', [x(MiB / 4)]));
    stream.end();
    await stream.done;
    expect(await until(() => budget.inUse === 0, 2000)).toBe(true);
  }, 30_000);

  it('a connection may open only so many calls at once (SETTINGS_MAX_CONCURRENT_STREAMS)', async () => {
    const budget = new BodyBudget(256 * MiB);
    const server = await serve({ budget, maxConcurrentStreams: 4 });
    const s = session(server.port);
    for (let i = 0; i < 10; i++) rawCall(s).stream.write(Buffer.concat([prefix(2 * MiB), Buffer.alloc(MiB)]));
    await sleep(500);
    expect(budget.inUse).toBeGreaterThan(0);
    expect(budget.inUse).toBeLessThanOrEqual(4 * (MiB + 5));
  });
});

describe('stalled requests are cut off', () => {
  it('a message that stops arriving ends DEADLINE_EXCEEDED after the message timeout, giving back its bytes', async () => {
    const budget = new BodyBudget(256 * MiB);
    const server = await serve({ budget, messageTimeoutMs: 500 });
    const c = rawCall(session(server.port));
    c.stream.write(Buffer.concat([prefix(8 * MiB), Buffer.alloc(MiB)]));
    expect(await c.ended).toBe(String(status.DEADLINE_EXCEEDED));
    expect(await until(() => budget.inUse === 0, 2000)).toBe(true);
  });

  it('a unary call whose request never ends is cut off too, though its message arrived', async () => {
    const server = await serve({ messageTimeoutMs: 500 });
    const infer = vi.spyOn(core, 'infer');
    const c = rawCall(session(server.port));
    c.stream.write(framedInfer(4));
    expect(await c.ended).toBe(String(status.DEADLINE_EXCEEDED));
    expect(infer).not.toHaveBeenCalled();
    infer.mockRestore();
  });

  it('a stream may wait between requests as long as it likes', async () => {
    const server = await serve({ messageTimeoutMs: 300 });
    const stream = client(server.port).stream();
    stream.send(inferRequest('id_fp32', [x()]));
    expect((await stream.next()).errorMessage).toBe('');
    await sleep(1000);
    stream.send(inferRequest('id_fp32', [x()]));
    expect((await stream.next()).errorMessage).toBe('');
    stream.end();
    await stream.done;
  });
});

describe('connections', () => {
  it('at the connection cap, the idle connection makes room first', async () => {
    const server = await serve({ maxConnections: 2 });
    const idle = session(server.port);
    await new Promise((r) => idle.once('connect', r));
    const stalled = rawCall(session(server.port));
    stalled.stream.write(prefix(100));
    await sleep(200);
    const idleClosed = new Promise((r) => idle.once('close', r));
    expect(await liveOnNewConnection(server.port)).toBe('0');
    await idleClosed;
    expect(await Promise.race([stalled.ended, sleep(500).then(() => 'still open')])).toBe('still open');
  });

  it('with none idle, the connection waiting longest for its client makes room: a new client always gets in', async () => {
    const server = await serve({ maxConnections: 2 });
    const stalled = [session(server.port), session(server.port)].map((s) => rawCall(s));
    for (const c of stalled) {
      c.stream.write(prefix(100));
      await sleep(100);
    }
    expect(await liveOnNewConnection(server.port)).toBe('0');
    expect(await Promise.race([stalled[0]!.ended, sleep(3000).then(() => 'still open')])).toBe('reset');
  });

  it('a connection with an inference being worked on is never closed to make room', async () => {
    const server = await serve({ maxConnections: 1 });
    const infer = vi.spyOn(core, 'infer');
    let release = (): void => undefined;
    infer.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve({ modelName: 'id_fp32', modelVersion: '1', id: '', outputs: [] }))));
    const busy = client(server.port);
    const answer = busy.modelInfer(inferRequest('id_fp32', [x()]));
    await until(() => infer.mock.calls.length === 1, 3000);
    expect(await liveOnNewConnection(server.port)).toBe('reset');
    release();
    expect((await answer).modelName).toBe('id_fp32');
    infer.mockRestore();
  }, 30_000);

  it('a graceful close lets calls in flight finish over injected connections; a forced one cuts them', async () => {
    const server = await startGrpcServer(core, { host: '127.0.0.1', port: 0 });
    const stream = client(server.port).stream();
    stream.send(inferRequest('id_fp32', [x()]));
    await sleep(200);
    const closed = server.close(true);
    await sleep(200);
    stream.end();
    await stream.done;
    await closed;
    const again = await startGrpcServer(core, { host: '127.0.0.1', port: 0 });
    const open = rawCall(session(again.port), STREAM);
    open.stream.write(prefix(10));
    await sleep(200);
    await again.close(false);
    expect(await Promise.race([open.ended, sleep(3000).then(() => 'still open')])).not.toBe('still open');
  }, 30_000);
});

describe('answers nobody reads', () => {
  it('a call whose answer its client never reads is cut off after the send timeout, and its bytes come back', async () => {
    const budget = new BodyBudget(256 * MiB);
    const server = await serve({ budget, sendTimeoutMs: 1000 });
    const s = session(server.port);
    const c = rawCall(s);
    // Never read: the answer (16 MiB) waits for a window the client never grants.
    c.stream.pause();
    c.stream.end(framedInfer(4 * MiB));
    expect(await until(() => budget.inUse >= 16 * MiB, 5000)).toBe(true);
    expect(await Promise.race([c.ended, sleep(6000).then(() => 'still open')])).toBe('reset');
    expect(await until(() => budget.inUse === 0, 2000)).toBe(true);
  }, 30_000);
});
