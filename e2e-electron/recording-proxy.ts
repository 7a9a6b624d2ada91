/**
 * A proxy that lets nothing through and writes down every host asked for. The smoke test starts
 * Electron with `--proxy-server` pointing here, so anything Chromium's network stack would send
 * off this machine (a page, main's `net`, a session request, a CONNECT for https or wss) arrives
 * here instead, is refused, and is listed; loopback bypasses proxies in Chromium, so the lab's own
 * ports are not affected. What the engine process sends with Node's own sockets does not pass
 * through Chromium: the release workflow covers that by running the suite on Linux in a network
 * namespace with only loopback (scripts/release/offline.mjs).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingProxy {
  /** `http://127.0.0.1:PORT`, for --proxy-server. */
  url: string;
  /** What was asked for, in order: `CONNECT host:port` or `GET http://host/path`. */
  requests: string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(): Promise<RecordingProxy> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method ?? '?'} ${req.url ?? ''}`);
    res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' }).end('blocked by the Model Lab smoke test: no network at first start\n');
  });
  server.on('connect', (req, socket) => {
    requests.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
