/**
 * A bounded GET of the lab's own metrics endpoint on loopback, for hosts that serve but give the
 * engine no remote clients (`HostCapabilities.remote`): the answer is capped in size (the whole
 * scrape is refused past the cap, never cut), and the request times out.
 */
import http from 'node:http';
import { LabError } from '../errors';

export const LOCAL_METRICS_MAX_BYTES = 8 * 1024 * 1024;

export function fetchLocalText(url: string, timeoutMs: number, maxBytes = LOCAL_METRICS_MAX_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy();
          reject(new LabError('UNAVAILABLE', `the metrics answer is larger than ${maxBytes} bytes`, { reason: 'REMOTE_PROTOCOL' }));
        } else chunks.push(c);
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status !== 200) reject(new LabError('UNAVAILABLE', `the metrics endpoint answered HTTP ${status}`, { reason: 'REMOTE_PROTOCOL' }));
        else resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', (e) => reject(new LabError('UNAVAILABLE', `the metrics endpoint closed the connection: ${e.message}`, { reason: 'REMOTE_UNREACHABLE' })));
    });
    req.on('timeout', () => {
      req.destroy();
      reject(new LabError('UNAVAILABLE', `the metrics endpoint did not answer within ${timeoutMs} ms`, { reason: 'REMOTE_TIMEOUT' }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const refused = e.code === 'ECONNREFUSED';
      reject(new LabError('UNAVAILABLE', refused ? `nothing is listening at ${url}` : `cannot reach ${url}: ${e.message}`, { reason: refused ? 'REMOTE_REFUSED' : 'REMOTE_UNREACHABLE' }));
    });
  });
}
