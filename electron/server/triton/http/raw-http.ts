/**
 * For tests: HTTP/1.1 written byte for byte over a socket, so a test sends
 * exactly the headers a given client sends (tritonclient, curl,
 * perf_analyzer, a browser) and can stall, trickle or cut a body, which
 * Node's own client would not let it do.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Parses one response from the start of `buf`, or undefined while it is incomplete. */
export function parseResponse(buf: Buffer): RawResponse | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buf.byteLength < end + 4 + length) return undefined;
  return { status: Number(statusLine!.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + length) };
}

/** A request head: request line, then the headers as given, in order. */
export function head(method: string, path: string, headers: [string, string | number][]): string {
  return `${method} ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** Opens a connection to 127.0.0.1:port. */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** The first response on a socket (resolves undefined if the server closes without one, or after `timeoutMs`). */
export function readResponse(socket: net.Socket, timeoutMs = 10_000): Promise<RawResponse | undefined> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const done = (r: RawResponse | undefined): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(r);
    };
    const onData = (c: Buffer): void => {
      buf = Buffer.concat([buf, c]);
      const r = parseResponse(buf);
      if (r) done(r);
    };
    const onClose = (): void => done(parseResponse(buf));
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', () => undefined);
  });
}

/** One request on a fresh connection (a head and body, or bytes exactly as given); the connection is closed afterwards. */
export async function rawRequest(port: number, requestHead: string | Buffer, body: Buffer | string = ''): Promise<RawResponse | undefined> {
  const s = await connect(port);
  const reply = readResponse(s);
  s.write(requestHead);
  if (body.length > 0) s.write(body);
  const r = await reply;
  s.destroy();
  return r;
}

/** Resolves when the server has closed the socket (true), or false after `timeoutMs`. */
export function closedWithin(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', done);
    socket.once('end', done);
    socket.on('error', () => undefined);
    // A paused socket never reports the end of its input.
    socket.resume();
  });
}
