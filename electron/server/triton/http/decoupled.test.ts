/**
 * The HTTP frontend refuses decoupled models with Triton's message, before it
 * reads the body (Triton's CheckTransactionPolicy); the check is the config's
 * transaction policy, so an identity model declared decoupled shows it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelConfig } from '../../../engine/runtime/testing/models';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';
import { TritonHttpClient } from './client';

let f: ServeFixture;
let c: TritonHttpClient;

const io = { backend: 'identity', inputs: [{ name: 'INPUT0', type: 'INT32', dims: [-1] }], outputs: [{ name: 'OUTPUT0', type: 'INT32', dims: [-1] }] };

beforeAll(async () => {
  f = await startServeFixture({
    write: (dir) => {
      for (const [name, extra] of [
        ['dec', 'model_transaction_policy { decoupled: true }'],
        ['plain', ''],
      ] as const) {
        mkdirSync(path.join(dir, name, '1'), { recursive: true });
        writeFileSync(path.join(dir, name, 'config.pbtxt'), modelConfig(name, { ...io, ...(extra ? { extra } : {}) }));
      }
    },
  });
  c = new TritonHttpClient(f.url);
}, 30_000);

afterAll(async () => {
  c.close();
  await f.close();
});

const body = JSON.stringify({ inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1], data: [3] }] });

describe('HTTP infer on a decoupled model', () => {
  it("answers 501 (Triton's code for UNSUPPORTED) with Triton's message; the same request to a model that is not decoupled succeeds", async () => {
    const r = await c.request('POST', '/v2/models/dec/infer', body);
    expect([r.status, JSON.parse(r.body.toString())]).toEqual([501, { error: "HTTP end point doesn't support models with decoupled transaction policy" }]);
    const ok = await c.request('POST', '/v2/models/plain/infer', body);
    expect(ok.status).toBe(200);
  });

  it('is refused before the body is read: a malformed body does not change the answer', async () => {
    const r = await c.request('POST', '/v2/models/dec/versions/1/infer', '{ not json');
    expect(JSON.parse(r.body.toString())).toEqual({ error: "HTTP end point doesn't support models with decoupled transaction policy" });
  });

  it('an unknown model keeps its own error', async () => {
    const r = await c.request('POST', '/v2/models/nope/infer', body);
    expect(JSON.parse(r.body.toString()).error).toBe("Request for unknown model: 'nope' is not found");
  });
});
