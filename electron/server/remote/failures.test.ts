/**
 * Every way a remote server can fail the lab, each with its own reason and a message a user can act
 * on: a refused port, a server that never answers, one that closes mid-answer, one that is not
 * Triton, one that sends without end, and bad headers; header values never appear in a message.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../engine/errors';
import { connectTriton, fetchText } from './connect';

const SECRET = 'Bearer top-secret-token-123';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function failure(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).not.toContain('top-secret');
    return err as LabError;
  }
  throw new Error('expected a failure');
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

/** A port nothing listens on (bound, then closed). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A TCP server whose connections are handled by `onSocket` (all destroyed at cleanup). */
async function tcp(onSocket: (s: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  const port = await listen(server);
  cleanups.push(() => sockets.forEach((s) => s.destroy()));
  return port;
}

async function httpServer(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  cleanups.push(() => server.closeAllConnections());
  return listen(server);
}

const connect = (url: string, timeoutMs = 2000) => {
  const c = connectTriton({ url, headers: { authorization: SECRET }, timeoutMs });
  cleanups.push(() => c.close());
  return c;
};

describe('refused, silent and vanishing servers', () => {
  it.each(['http', 'grpc'] as const)('a refused port is REMOTE_REFUSED over %s', async (scheme) => {
    const port = await freePort();
    const err = await failure(connect(`${scheme}://127.0.0.1:${port}`).serverMetadata());
    expect(err.reason).toBe('REMOTE_REFUSED');
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain(`${scheme}://127.0.0.1:${port}`);
  });

  it.each(['http', 'grpc'] as const)('a server that accepts and never answers is REMOTE_TIMEOUT over %s', async (scheme) => {
    const port = await tcp(() => undefined);
    const err = await failure(connect(`${scheme}://127.0.0.1:${port}`, 300).repositoryIndex());
    expect(err.reason).toBe('REMOTE_TIMEOUT');
    expect(err.message).toMatch(/did not answer within 300 ms/);
  });

  it('a server that closes the connection mid-answer is REMOTE_UNREACHABLE', async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"name": "tri');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await failure(connect(`http://127.0.0.1:${port}`).serverMetadata());
    expect(err.reason).toBe('REMOTE_UNREACHABLE');
    expect(err.message).toMatch(/closed the connection/);
  });

  it('a server that closes before answering is REMOTE_UNREACHABLE over both protocols', async () => {
    const port = await tcp((s) => s.destroy());
    for (const scheme of ['http', 'grpc']) {
      const err = await failure(connect(`${scheme}://127.0.0.1:${port}`).serverMetadata());
      expect(err.reason).toBe('REMOTE_UNREACHABLE');
    }
  });
});

describe('servers that are not Triton', () => {
  it('an HTML page is REMOTE_PROTOCOL, whatever its status', async () => {
    const port = await httpServer((req, res) => {
      res.writeHead(req.url === '/v2' ? 200 : 404, { 'Content-Type': 'text/html' });
      res.end('<html><body>Welcome to nginx!</body></html>');
    });
    const c = connect(`http://127.0.0.1:${port}`);
    const md = await failure(c.serverMetadata());
    expect(md.reason).toBe('REMOTE_PROTOCOL');
    expect(md.message).toMatch(/does not answer as a Triton server: its server metadata is not JSON/);
    const index = await failure(c.repositoryIndex());
    expect(index.reason).toBe('REMOTE_PROTOCOL');
    expect(index.message).toMatch(/HTTP 404 without Triton's error object/);
  });

  it('JSON of the wrong shape is REMOTE_PROTOCOL', async () => {
    const port = await httpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(req.url === '/v2' ? '{"status": "ok"}' : '{"models": []}');
    });
    const c = connect(`http://127.0.0.1:${port}`);
    expect((await failure(c.serverMetadata())).reason).toBe('REMOTE_PROTOCOL');
    expect((await failure(c.repositoryIndex())).message).toMatch(/repository index is not a list/);
    expect((await failure(c.statistics())).message).toMatch(/no model_stats list/);
  });

  it('a redirect names where it points (without its query), and a gateway error says the server behind may be down', async () => {
    const port = await httpServer((req, res) => {
      if (req.url === '/v2') res.writeHead(301, { Location: 'https://triton.example.com/v2?token=abc' });
      else res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end();
    });
    const c = connect(`http://127.0.0.1:${port}`);
    const moved = await failure(c.serverMetadata());
    expect(moved.reason).toBe('REMOTE_PROTOCOL');
    expect(moved.message).toMatch(/HTTP 301 redirects to https:\/\/triton.example.com\/v2 \(Triton does not redirect/);
    expect(moved.message).not.toContain('token');
    const gateway = await failure(c.repositoryIndex());
    expect(gateway.reason).toBe('REMOTE_UNREACHABLE');
    expect(gateway.message).toMatch(/proxy in front of the server answered HTTP 502 \(Bad Gateway\)/);
  });

  it('401 asks to check the headers', async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer' });
      res.end();
    });
    const err = await failure(connect(`http://127.0.0.1:${port}`).serverMetadata());
    expect(err.message).toMatch(/HTTP 401: check the headers/);
  });

  it('a gRPC client on an HTTP/1 server, and TLS on a plain port, are refused with a reason', async () => {
    const port = await httpServer((_req, res) => res.end('hello'));
    const err = await failure(connect(`grpc://127.0.0.1:${port}`, 1000).serverMetadata());
    expect(err.reason).toBe('REMOTE_PROTOCOL');
    expect(err.message).toMatch(/does not answer as a gRPC server/);
    const tls = await failure(connect(`grpcs://127.0.0.1:${port}`, 1000).serverMetadata());
    expect(tls.reason).toBe('REMOTE_TLS');
    expect(tls.message).toMatch(/does not speak TLS on this port \(use grpc:\/\/\)/);
    const https = await failure(connect(`https://127.0.0.1:${port}`, 1000).serverMetadata());
    expect(https.reason).toBe('REMOTE_TLS');
    expect(https.message).toMatch(/does not speak TLS on this port/);
  });

  it('sends the headers on every request', async () => {
    const seen: (string | undefined)[] = [];
    const port = await httpServer((req, res) => {
      seen.push(req.headers['authorization']);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(req.url === '/v2' ? '{"name":"triton","version":"2","extensions":[]}' : '[]');
    });
    const c = connect(`http://127.0.0.1:${port}`);
    await c.serverMetadata();
    await c.repositoryIndex();
    expect(seen).toEqual([SECRET, SECRET]);
  });
});

describe('bounds', () => {
  it('an endless body is cut off at 4 MiB for JSON', async () => {
    let sent = 0;
    const port = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.byteLength;
        if (!res.destroyed && sent < 64 * 1024 * 1024) res.once('drain', pump);
      };
      pump();
    });
    const err = await failure(connect(`http://127.0.0.1:${port}`, 10_000).serverMetadata());
    expect(err.reason).toBe('REMOTE_PROTOCOL');
    expect(err.message).toMatch(/larger than 4 MiB; not read/);
    expect(sent).toBeLessThan(32 * 1024 * 1024);
  });

  it("a server's own error message is cut, not passed on whole", async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: `bad request ${'x'.repeat(1024 * 1024)}` }));
    });
    const err = await failure(connect(`http://127.0.0.1:${port}`).repositoryIndex());
    expect(err.code).toBe('INVALID_ARG');
    expect(err.message).toMatch(/^bad request x+ … \(\d+ more characters not kept\)$/);
    expect(err.message.length).toBeLessThan(9000);
  });

  it('a huge Content-Length is refused before reading', async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(1024 ** 4) });
      res.write('x');
    });
    const err = await failure(fetchText(`http://127.0.0.1:${port}/metrics`, { headers: {}, timeoutMs: 2000 }));
    expect(err.message).toMatch(/larger than 8 MiB \(1099511627776 bytes\)/);
  });
});

describe('fetchText', () => {
  it('reads text with the headers, and says which status it got otherwise', async () => {
    const port = await httpServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(`# auth ${req.headers['authorization'] === SECRET ? 'ok' : 'missing'}\nnv_inference_count{model="m",version="1"} 3\n`);
    });
    const text = await fetchText(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: SECRET }, timeoutMs: 2000 });
    expect(text).toContain('# auth ok');
    const err = await failure(fetchText(`http://127.0.0.1:${port}/other`, { headers: { authorization: SECRET }, timeoutMs: 2000 }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/answered HTTP 404/);
  });
});

describe('headers and options checked before sending', () => {
  it('names a bad header without showing its value', () => {
    const bad = (headers: Record<string, string>, timeoutMs = 1000): string => {
      try {
        connectTriton({ url: 'http://127.0.0.1:1', headers, timeoutMs });
      } catch (err) {
        expect((err as LabError).code).toBe('INVALID_ARG');
        return (err as LabError).message;
      }
      return 'accepted';
    };
    const m = bad({ authorization: 'Bearer abc\r\nX-Injected: 1' });
    expect(m).toMatch(/header 'authorization' has control characters/);
    expect(m).not.toContain('abc');
    expect(bad({ 'bad name': 'v' })).toMatch(/not a valid header name/);
    expect(bad({ 'Content-Length': '5' })).toMatch(/Header 'Content-Length' is set by the client itself/);
    expect(bad({ 'Inference-Header-Content-Length': '5' })).toMatch(/set by the client itself/);
    expect(bad({ A: '1', a: '2' })).toMatch(/same name/);
    expect(bad({}, 0)).toMatch(/timeout/);
    expect(() => connectTriton({ url: 'http://u:p@h:1', headers: {}, timeoutMs: 1000 })).toThrow(/user name or password/);
  });
});

describe('kept-alive sockets', () => {
  it('sends once more on a new socket when the server closed the kept-alive one', async () => {
    let connections = 0;
    const port = await tcp((s) => {
      connections++;
      let requests = 0;
      s.on('data', (d: Buffer) => {
        if (!d.toString().includes('\r\n\r\n')) return;
        requests++;
        // The first connection answers once, then drops the next request unanswered (a server's idle close racing it).
        if (connections === 1 && requests === 2) return void s.destroy();
        const body = '{"name":"triton","version":"2","extensions":[]}';
        s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
      });
    });
    const c = connect(`http://127.0.0.1:${port}`);
    expect((await c.serverMetadata()).name).toBe('triton');
    expect((await c.serverMetadata()).name).toBe('triton');
    expect(connections).toBe(2);
  });

  it('does not send again when the server closes a fresh connection', async () => {
    let connections = 0;
    const port = await tcp((s) => {
      connections++;
      s.on('data', () => s.destroy());
    });
    const err = await failure(connect(`http://127.0.0.1:${port}`).serverMetadata());
    expect(err.reason).toBe('REMOTE_UNREACHABLE');
    expect(connections).toBe(1);
  });
});
