/**
 * The sequence flags of a request (sequence_id, sequence_start, sequence_end) as Triton's HTTP and
 * gRPC frontends read them: a uint64 id kept exact beyond 2^53, a string id, the flags as booleans,
 * Triton's errors for other kinds, and none of them passed on as ordinary request parameters.
 */
import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { ModelConfigSchema } from '../../engine/config/gen/model_config_pb';
import { type InferParameter, InferTensorContentsSchema, ModelInferRequestSchema } from './grpc/gen/grpc_service_pb';
import { readInferRequest as readGrpc } from './grpc/infer';
import { readInferRequest as readHttp } from './http/infer-request';
import { rawSequenceIdToken } from './http/sequence-id';
import { f32, rejection } from '../../engine/runtime/testing/models';
import { startServeFixture } from './testing/serve-fixture';

const limits = { maxInputBytes: 1 << 20 };
const INPUT = '"inputs":[{"name":"x","datatype":"INT32","shape":[1],"data":[1]}]';

function http(params: string): ReturnType<typeof readHttp>['request'] {
  return readHttp(Buffer.from(`{"parameters":${params},${INPUT}}`), undefined, 'm', limits).request;
}

describe('HTTP sequence parameters', () => {
  it('reads a uint64 id exactly, even past 2^53 and up to 2^64-1', () => {
    expect(http('{"sequence_id":42,"sequence_start":true}').sequence).toEqual({ id: 42n, start: true, end: false });
    expect(http('{"sequence_id":9007199254740993,"sequence_end":true}').sequence).toEqual({ id: 9007199254740993n, start: false, end: true });
    expect(http('{ "sequence_id" : 18446744073709551615 }').sequence?.id).toBe(18446744073709551615n);
  });

  it('reads a string id, and keeps the flags out of the request parameters', () => {
    const r = http('{"sequence_id":"abc","sequence_start":false,"sequence_end":true,"k":1}');
    expect(r.sequence).toEqual({ id: 'abc', start: false, end: true });
    expect(r.parameters).toEqual({ k: 1 });
  });

  it('gives flags without an id the id 0 (no sequence), and no sequence when none is given', () => {
    expect(http('{"sequence_start":true}').sequence).toEqual({ id: 0n, start: true, end: false });
    expect(http('{"k":"v"}').sequence).toBeUndefined();
  });

  it("refuses other kinds with Triton's wording", () => {
    const idErr = "Unable to parse 'sequence_id': attempt to access JSON non-string as string";
    for (const bad of ['-1', '1.5', 'true', '[1]', '18446744073709551616', '1e300']) {
      expect(() => http(`{"sequence_id":${bad}}`), bad).toThrow(expect.objectContaining({ code: 'INTERNAL', message: idErr }));
    }
    expect(() => http('{"sequence_start":1}')).toThrow(expect.objectContaining({ message: "Unable to parse 'sequence_start': attempt to access JSON non-boolean as boolean" }));
    expect(() => http('{"sequence_end":"true"}')).toThrow(expect.objectContaining({ message: "Unable to parse 'sequence_end': attempt to access JSON non-boolean as boolean" }));
  });

  it('finds the id of .parameters only, whatever else is named sequence_id', () => {
    const text = '{"sequence_id":1,"inputs":[{"parameters":{"sequence_id":2}}],"parameters":{"s":"\\"sequence_id\\":3","sequence_id":12345678901234567890}}';
    expect(rawSequenceIdToken(text)).toBe('12345678901234567890');
    expect(rawSequenceIdToken('{"parameters":{"sequence_id":"x"}}')).toBeUndefined();
  });
});

const config = create(ModelConfigSchema, { name: 'm' });
const input = { name: 'x', datatype: 'INT32', shape: [1n], contents: create(InferTensorContentsSchema, { intContents: [1] }) };
const param = (c: InferParameter['parameterChoice']): InferParameter => ({ parameterChoice: c }) as InferParameter;

function grpc(parameters: Record<string, InferParameter>): ReturnType<typeof readGrpc>['request'] {
  return readGrpc(create(ModelInferRequestSchema, { modelName: 'm', inputs: [input], parameters }), config).request;
}

describe('gRPC sequence parameters', () => {
  it('reads int64 and string ids; an int64 is the uint64 Triton stores (a negative one wraps)', () => {
    const r = grpc({ sequence_id: param({ case: 'int64Param', value: 9007199254740993n }), sequence_start: param({ case: 'boolParam', value: true }), k: param({ case: 'int64Param', value: 3n }) });
    expect(r.sequence).toEqual({ id: 9007199254740993n, start: true, end: false });
    expect(r.parameters).toEqual({ k: 3 });
    expect(grpc({ sequence_id: param({ case: 'int64Param', value: -1n }) }).sequence?.id).toBe(18446744073709551615n);
    expect(grpc({ sequence_id: param({ case: 'stringParam', value: 'seq' }), sequence_end: param({ case: 'boolParam', value: true }) }).sequence).toEqual({ id: 'seq', start: false, end: true });
    expect(grpc({}).sequence).toBeUndefined();
  });

  it("refuses other kinds with Triton's wording", () => {
    expect(() => grpc({ sequence_id: param({ case: 'uint64Param', value: 1n }) })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARG', message: "invalid value type for 'sequence_id' parameter, expected int64_param or string_param." }),
    );
    expect(() => grpc({ sequence_end: param({ case: 'stringParam', value: 'yes' }) })).toThrow(
      expect.objectContaining({ message: "invalid value type for 'sequence_end' parameter, expected bool_param." }),
    );
  });
});

describe('a string sequence id at the core', () => {
  it('over 128 bytes is refused whatever the model, as Triton refuses to set it (UNSUPPORTED)', async () => {
    const f = await startServeFixture({ http: false });
    try {
      const inputs = [f32('INPUT0', [1, 5], [0.1, 0.9, 0.3, 0.2, 0.4])];
      const err = await rejection(f.core.infer('classifier', undefined, { inputs, sequence: { id: 'é'.repeat(65), start: false, end: false } }));
      expect([err.code, err.message]).toEqual(['UNSUPPORTED', 'string correlation ID cannot be longer than 128 characters']);
      expect((await f.core.infer('classifier', undefined, { inputs, sequence: { id: 'x'.repeat(128), start: false, end: false } })).outputs).toHaveLength(1);
    } finally {
      await f.close();
    }
  });
});
