/**
 * Decompression bombs refused at the inflated-size cap leave nothing behind:
 * a zlib stream destroyed while it inflates stays referenced by Node until
 * its work ends, and with it everything its listeners held (each refused
 * bomb kept the 64 MiB it had inflated, so a client could grow the server by
 * gigabytes with a few hundred 250 KB requests; streams closed mid-inflate
 * stayed registered with Node, each holding its output buffer).
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawRequest } from './raw-http';
import { heapAfterGc } from '../fuzz/memory';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';

const CAP = 8 * 1024 * 1024;
let f: ServeFixture;

beforeAll(async () => {
  f = await startServeFixture({ http: { maxInputBytes: CAP } });
});

afterAll(async () => {
  await f?.close();
});

it('refused bombs keep none of what they inflated', async () => {
  const port = f.http!.port;
  const bomb = gzipSync(Buffer.alloc(CAP * 32, 0x20));
  const request = Buffer.concat([
    Buffer.from(`POST /v2/models/id_fp32/infer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.byteLength}\r\n\r\n`),
    bomb,
  ]);
  const before = heapAfterGc();
  for (let round = 0; round < 4; round++) {
    const answers = await Promise.all(Array.from({ length: 6 }, () => rawRequest(port, request)));
    for (const a of answers) expect(a?.status).toBe(400);
  }
  await new Promise((r) => setTimeout(r, 100));
  // 24 bombs × 8 MiB inflated each would be 192 MiB if kept; a zlib stream left registered keeps its 1 MiB output buffer.
  expect(heapAfterGc() - before).toBeLessThan(16 * 1024 * 1024);
}, 60_000);
