/**
 * HttpTritonConnection.prepareInfer: the profiler's request encoded once and sent as often as asked.
 * Against a small HTTP server that answers every inference with the same binary answer and keeps
 * the bodies it received: every send carries the bytes encodeInferBody builds, every answer is
 * decoded, and a cancelled send fails as CANCELLED without touching the next.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../engine/errors';
import { makeTensor } from '../../engine/tensor/tensor';
import { connectTriton } from './connect';
import { encodeInferBody } from './http-client';

const bodies: Buffer[] = [];
const paths: string[] = [];
const answerHead = Buffer.from(JSON.stringify({ model_name: 'm', model_version: '2', outputs: [{ name: 'OUT', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } }] }));
const answer = Buffer.concat([answerHead, Buffer.from(new Float32Array([4, 5]).buffer)]);
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('error', () => undefined); // the cancelled send's connection, closed by the client
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    bodies.push(Buffer.concat(chunks));
    paths.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': answerHead.byteLength, 'Content-Length': answer.byteLength });
    res.end(answer);
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('HttpTritonConnection.prepareInfer', () => {
  const input = makeTensor('IN', 'FP32', [1, 2], new Float32Array([1, 2]));

  it('sends the once-encoded body every time and decodes every answer', async () => {
    const conn = connectTriton({ url, headers: {}, timeoutMs: 5000 });
    try {
      const prepared = conn.prepareInfer!('m', '2', { inputs: [input] });
      bodies.length = 0;
      const results = [await prepared.send(), await prepared.send(), await prepared.send()];
      const expected = encodeInferBody({ inputs: [input] }).body;
      expect(bodies).toHaveLength(3);
      for (const b of bodies) expect(b.equals(expected)).toBe(true);
      expect(paths.slice(-3)).toEqual(Array(3).fill('/v2/models/m/versions/2/infer'));
      for (const r of results) {
        expect(r.modelVersion).toBe('2');
        expect(Array.from(r.outputs[0]!.data as Float32Array)).toEqual([4, 5]);
        expect(r.sendNs).toBeGreaterThan(0);
      }
    } finally {
      conn.close();
    }
  });

  it('fails a cancelled send as CANCELLED and still sends the next', async () => {
    const conn = connectTriton({ url, headers: {}, timeoutMs: 5000 });
    try {
      const prepared = conn.prepareInfer!('m', '', { inputs: [input] });
      const stop = new AbortController();
      stop.abort();
      const err = await prepared.send(stop.signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('CANCELLED');
      expect((await prepared.send()).outputs).toHaveLength(1);
    } finally {
      conn.close();
    }
  });
});
