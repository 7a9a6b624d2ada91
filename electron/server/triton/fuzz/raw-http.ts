/**
 * Sends raw bytes to an HTTP server and reads back one response, as it
 * arrives on the socket: nothing repairs the request on the way out, and a
 * connection closed without an answer is reported as such.
 */
import net from 'node:net';

export interface RawAnswer {
  status?: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Set when the server closed or reset the connection without a complete status line. */
  noAnswer?: string;
}

function parse(buf: Buffer): RawAnswer {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0)
    return { headers: {}, body: Buffer.alloc(0), noAnswer: buf.byteLength === 0 ? 'connection closed with no bytes' : `incomplete head: ${JSON.stringify(buf.subarray(0, 80).toString('latin1'))}` };
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  const len = Number(headers['content-length']);
  if (Number.isInteger(len)) body = body.subarray(0, len);
  if (!m) return { headers, body, noAnswer: `bad status line ${JSON.stringify(statusLine)}` };
  return { status: Number(m[1]), headers, body };
}

/** Writes `raw`, waits for the server to answer and close (or for `timeoutMs`). */
export function sendRaw(port: number, raw: Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (why?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const answer = parse(Buffer.concat(chunks));
      if (why && answer.noAnswer) answer.noAnswer += ` (${why})`;
      resolve(answer);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    // No half-close: Node's HTTP server drops a request whose client ended its side before the answer.
    socket.on('connect', () => socket.write(raw));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // A complete response with a known length is enough; the server may keep the socket.
      const a = parse(Buffer.concat(chunks));
      const len = Number(a.headers['content-length']);
      if (a.status !== undefined && Number.isInteger(len) && a.body.byteLength >= len) done();
    });
    socket.on('end', () => done());
    socket.on('close', () => done());
    // A reset after the answer was written is normal when the server refuses before reading.
    socket.on('error', (err) => done(err.message));
  });
}
