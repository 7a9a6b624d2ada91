/**
 * Response parameters on the wire, as Triton's frontends write them: HTTP's
 * `parameters` object (before the outputs), gRPC ModelInferResponse.parameters
 * (bool_param, int64_param, string_param) on ModelInfer and on
 * ModelStreamInfer beside `triton_final_response`; none when the model set
 * none. A script model sets them (its InferenceResponse checks the values with
 * Triton's wording) and reads the request's parameters.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptConfig } from '../../engine/runtime/testing/models';
import type { Tensor } from '../../engine/tensor/tensor';
import { type GrpcInferenceClient, createGrpcClient, inferRequest } from './grpc/client';
import type { InferParameter, ModelInferResponse } from './grpc/gen/grpc_service_pb';
import { type RunningGrpcServer, startGrpcServer } from './grpc/server';
import { TritonHttpClient } from './http/client';
import { type ServeFixture, startServeFixture } from './testing/serve-fixture';

/** CMD is JSON: the response's parameters, or "request" to answer with request.parameters(). */
const MODEL = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => {
      const cmd = pb_utils.get_input_tensor_by_name(r, 'CMD').strings()[0];
      if (cmd === 'request') return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', [r.parameters(), String(r.parameters.custom)], [2])] });
      try {
        return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', [cmd], [1])], parameters: JSON.parse(cmd) });
      } catch (e) {
        return new pb_utils.InferenceResponse({ error: new pb_utils.TritonError(e.message(), pb_utils.TritonError.INVALID_ARG) });
      }
    });
  }
}
`;

let f: ServeFixture;
let http: TritonHttpClient;
let grpc: RunningGrpcServer;
let client: GrpcInferenceClient;

beforeAll(async () => {
  f = await startServeFixture({
    write: (dir) => {
      mkdirSync(path.join(dir, 'sparams', '1'), { recursive: true });
      writeFileSync(
        path.join(dir, 'sparams', 'config.pbtxt'),
        scriptConfig('sparams', { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'OUT', type: 'STRING', dims: [-1] }] }),
      );
      writeFileSync(path.join(dir, 'sparams', '1', 'model.js'), MODEL);
    },
  });
  http = new TritonHttpClient(f.url);
  grpc = await startGrpcServer(f.core, { host: '127.0.0.1', port: 0, log: () => undefined });
  client = createGrpcClient(`127.0.0.1:${grpc.port}`);
}, 30_000);

afterAll(async () => {
  client?.close();
  await grpc?.close(false);
  http?.close();
  await f?.close();
});

const cmd = (c: string): Tensor => ({ name: 'CMD', dtype: 'BYTES', shape: [1], data: [new TextEncoder().encode(c)] });
const body = (c: string, parameters?: Record<string, unknown>): string =>
  JSON.stringify({ inputs: [{ name: 'CMD', datatype: 'BYTES', shape: [1], data: [c] }], ...(parameters ? { parameters } : {}) });
const plain = (params: Record<string, InferParameter>): Record<string, unknown> => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.parameterChoice.value]));
const SET = { bool: true, str: 'Hello World!', int: 1024, neg: -7 };

describe('HTTP', () => {
  it('writes the parameters object between model_version and outputs; none when the model set none', async () => {
    const r = await http.request('POST', '/v2/models/sparams/infer', body(JSON.stringify(SET)));
    const text = r.body.toString();
    expect(r.status).toBe(200);
    expect(text).toMatch(/^\{"model_name":"sparams","model_version":"1","parameters":\{"bool":true,"str":"Hello World!","int":1024,"neg":-7\},"outputs":\[/);
    const none = await http.request('POST', '/v2/models/sparams/infer', body('{}'));
    expect(JSON.parse(none.body.toString())).not.toHaveProperty('parameters');
  });

  it("a value of another type fails the request with Triton's wording", async () => {
    const r = await http.request('POST', '/v2/models/sparams/infer', body(JSON.stringify({ int: 2, float: 0.5 })));
    expect([r.status, JSON.parse(r.body.toString())]).toEqual([400, { error: "Expect parameters values to have type bool/int/str, found type <class 'float'>" }]);
    const list = await http.request('POST', '/v2/models/sparams/infer', body('[]'));
    expect(JSON.parse(list.body.toString())).toEqual({ error: "Expect dict, got <class 'list'>" });
  });

  it('the request parameters are readable in the model (JSON text and by key)', async () => {
    const r = await http.request('POST', '/v2/models/sparams/infer', body('request', { custom: 'yes', n: 3 }));
    const out = JSON.parse(r.body.toString()) as { outputs: { data: string[] }[] };
    expect(JSON.parse(out.outputs[0]!.data[0]!)).toEqual({ custom: 'yes', n: 3 });
    expect(out.outputs[0]!.data[1]).toBe('yes');
  });
});

describe('gRPC', () => {
  it('ModelInfer carries them as bool_param, int64_param and string_param', async () => {
    const res: ModelInferResponse = await client.modelInfer(inferRequest('sparams', [cmd(JSON.stringify(SET))]));
    expect(Object.fromEntries(Object.entries(res.parameters).map(([k, v]) => [k, v.parameterChoice.case]))).toEqual({ bool: 'boolParam', str: 'stringParam', int: 'int64Param', neg: 'int64Param' });
    expect(plain(res.parameters)).toEqual({ bool: true, str: 'Hello World!', int: 1024n, neg: -7n });
    expect((await client.modelInfer(inferRequest('sparams', [cmd('{}')]))).parameters).toEqual({});
  });

  it('ModelStreamInfer carries them beside triton_final_response', async () => {
    const s = client.stream();
    s.send(inferRequest('sparams', [cmd(JSON.stringify({ a: 'b' }))], { id: 'x' }));
    s.end();
    const m = await s.next();
    expect(plain(m.inferResponse!.parameters)).toEqual({ a: 'b', triton_final_response: true });
  });
});
