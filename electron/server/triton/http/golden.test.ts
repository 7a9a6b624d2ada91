/**
 * Byte-level fixtures written by hand from the KServe v2 / Triton binary
 * tensor data extension docs: the exact request bytes a client such as
 * tritonclient.http sends, and the exact bytes we must answer with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';
import { TritonHttpClient } from './client';

let f: ServeFixture;
let c: TritonHttpClient;

beforeAll(async () => {
  f = await startServeFixture();
  c = new TritonHttpClient(f.url);
}, 30_000);

afterAll(async () => {
  c.close();
  await f.close();
});

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('golden bytes', () => {
  it('INT32 binary input and output', async () => {
    const json = '{"inputs":[{"name":"INPUT0","shape":[2],"datatype":"INT32","parameters":{"binary_data_size":8}}],"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]}';
    const body = Buffer.concat([Buffer.from(json), hex('01000000 feffffff')]);
    const r = await c.request('POST', '/v2/models/id_int32/infer', body, { 'Inference-Header-Content-Length': json.length, 'Content-Type': 'application/octet-stream' });
    const head = '{"model_name":"id_int32","model_version":"1","outputs":[{"name":"OUTPUT0","datatype":"INT32","shape":[2],"parameters":{"binary_data_size":8}}]}';
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['inference-header-content-length']).toBe(String(head.length));
    expect(r.body.equals(Buffer.concat([Buffer.from(head), hex('01000000 feffffff')]))).toBe(true);
  });

  it('BYTES elements are a uint32 little-endian length then the bytes', async () => {
    const json = '{"id":"7","inputs":[{"name":"INPUT0","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":11}}],"parameters":{"binary_data_output":true}}';
    const body = Buffer.concat([Buffer.from(json), hex('02000000 6162 01000000 63')]);
    const r = await c.request('POST', '/v2/models/id_bytes/infer', body, { 'Inference-Header-Content-Length': json.length });
    const head = '{"id":"7","model_name":"id_bytes","model_version":"1","outputs":[{"name":"OUTPUT0","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":11}}]}';
    expect(r.body.equals(Buffer.concat([Buffer.from(head), hex('02000000 6162 01000000 63')]))).toBe(true);
  });

  it('FP16 and BOOL travel as raw little-endian bits, one byte per BOOL', async () => {
    const json = '{"inputs":[{"name":"INPUT0","shape":[3],"datatype":"FP16","parameters":{"binary_data_size":6}}]}';
    const r = await c.request('POST', '/v2/models/id_fp16/infer', Buffer.concat([Buffer.from(json), hex('003c 00c0 4842')]), { 'Inference-Header-Content-Length': json.length });
    // No outputs listed and no binary_data_output: outputs default to JSON, which FP16 cannot be.
    expect(r.status).toBe(400);
    const jh = '{"inputs":[{"name":"INPUT0","shape":[3],"datatype":"FP16","parameters":{"binary_data_size":6}}],"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]}';
    const h = await c.request('POST', '/v2/models/id_fp16/infer', Buffer.concat([Buffer.from(jh), hex('003c 00c0 4842')]), { 'Inference-Header-Content-Length': jh.length });
    expect(h.body.subarray(h.body.length - 6).equals(hex('003c 00c0 4842'))).toBe(true);
    const jb = '{"inputs":[{"name":"INPUT0","shape":[3],"datatype":"BOOL","parameters":{"binary_data_size":3}}],"parameters":{"binary_data_output":true}}';
    const b = await c.request('POST', '/v2/models/id_bool/infer', Buffer.concat([Buffer.from(jb), hex('010001')]), { 'Inference-Header-Content-Length': jb.length });
    expect(b.body.subarray(b.body.length - 3).equals(hex('010001'))).toBe(true);
  });

  it('a JSON request gets a JSON-only response', async () => {
    const json = '{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP32","data":[0.5,-1]}]}';
    const r = await c.request('POST', '/v2/models/batching/infer', json, { 'Content-Type': 'application/json' });
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['inference-header-content-length']).toBeUndefined();
    expect(r.body.toString()).toBe('{"model_name":"batching","model_version":"1","outputs":[{"name":"OUTPUT0","datatype":"FP32","shape":[1,2],"data":[0.5,-1]}]}');
  });

  it('errors are {"error": message} JSON', async () => {
    const r = await c.request('POST', '/v2/models/none/infer', '{"inputs":[]}');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body.toString()).toBe('{"error":"Request for unknown model: \'none\' is not found"}');
  });
});
