/**
 * Golden bytes written by hand from the protobuf wire format (tag = field
 * number << 3 | wire type) with the field numbers of Triton's
 * grpc_service.proto and health.proto, checked against the generated
 * encoder and decoder and the frontend's request reader, so that a wrong
 * field number or type in our .proto cannot go unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelConfigSchema } from '../../../engine/config/gen/model_config_pb';
import { bytesFromStrings, stringsFromBytes } from '../../../engine/tensor/tensor';
import { HealthCheckResponseSchema, HealthCheckResponse_ServingStatus } from './gen/health_pb';
import { InferTensorContentsSchema, ModelConfigResponseSchema, ModelInferRequestSchema, ModelInferResponseSchema, ModelStreamInferResponseSchema } from './gen/grpc_service_pb';
import { inferResponse, readInferRequest } from './infer';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/**
 * ModelInferRequest {
 *   model_name: "m" (1), model_version: "1" (2), id: "7" (3),
 *   parameters (4): { "k": InferParameter { int64_param (2): 5 } },
 *   inputs (5): [ { name: "x" (1), datatype: "FP32" (2), shape (3, packed): [2] } ],
 *   outputs (6): [ { name: "y" (1), parameters (2): { "classification": { int64_param: 2 } } } ],
 *   raw_input_contents (7): [ FP32 1.0, -2.0 little-endian ]
 * }
 */
const REQUEST = Uint8Array.from([
  0x0a,
  0x01,
  ...ascii('m'),
  0x12,
  0x01,
  ...ascii('1'),
  0x1a,
  0x01,
  ...ascii('7'),
  // map entry: key (1) "k", value (2) InferParameter { int64_param (2, varint) 5 }
  0x22,
  0x07,
  0x0a,
  0x01,
  ...ascii('k'),
  0x12,
  0x02,
  0x10,
  0x05,
  0x2a,
  0x0c,
  0x0a,
  0x01,
  ...ascii('x'),
  0x12,
  0x04,
  ...ascii('FP32'),
  0x1a,
  0x01,
  0x02,
  0x32,
  0x19,
  0x0a,
  0x01,
  ...ascii('y'),
  0x12,
  0x14,
  0x0a,
  0x0e,
  ...ascii('classification'),
  0x12,
  0x02,
  0x10,
  0x02,
  0x3a,
  0x08,
  0x00,
  0x00,
  0x80,
  0x3f,
  0x00,
  0x00,
  0x00,
  0xc0,
]);

/**
 * ModelInferResponse {
 *   model_name: "m" (1), model_version: "1" (2), id: "7" (3),
 *   outputs (5): [ { name: "y" (1), datatype: "BYTES" (2), shape (3, packed): [2] } ],
 *   raw_output_contents (6): [ "a", "" as uint32-length-prefixed elements ]
 * }
 */
const RESPONSE = Uint8Array.from([
  0x0a,
  0x01,
  ...ascii('m'),
  0x12,
  0x01,
  ...ascii('1'),
  0x1a,
  0x01,
  ...ascii('7'),
  0x2a,
  0x0d,
  0x0a,
  0x01,
  ...ascii('y'),
  0x12,
  0x05,
  ...ascii('BYTES'),
  0x1a,
  0x01,
  0x02,
  0x32,
  0x09,
  0x01,
  0x00,
  0x00,
  0x00,
  ...ascii('a'),
  0x00,
  0x00,
  0x00,
  0x00,
]);

describe('protobuf wire format of the gRPC messages', () => {
  it('ModelInferRequest: hand-written bytes decode field by field and encode back identically', () => {
    const req = fromBinary(ModelInferRequestSchema, REQUEST);
    expect([req.modelName, req.modelVersion, req.id]).toEqual(['m', '1', '7']);
    expect(req.parameters['k']?.parameterChoice).toEqual({ case: 'int64Param', value: 5n });
    expect(req.inputs.map((i) => [i.name, i.datatype, i.shape, i.contents])).toEqual([['x', 'FP32', [2n], undefined]]);
    expect(req.outputs[0]?.name).toBe('y');
    expect(req.outputs[0]?.parameters['classification']?.parameterChoice).toEqual({ case: 'int64Param', value: 2n });
    expect([...req.rawInputContents[0]!]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(toBinary(ModelInferRequestSchema, req)).toEqual(REQUEST);
  });

  it('ModelInferRequest: the frontend reads the golden request into engine tensors', () => {
    const config = create(ModelConfigSchema, { name: 'm' });
    const { name, version, request } = readInferRequest(fromBinary(ModelInferRequestSchema, REQUEST), config);
    expect([name, version, request.id]).toEqual(['m', '1', '7']);
    expect(request.parameters).toEqual({ k: 5 });
    expect(request.outputs).toEqual([{ name: 'y', classification: 2 }]);
    const [x] = request.inputs;
    expect([x?.name, x?.dtype, x?.shape]).toEqual(['x', 'FP32', [2]]);
    expect(Array.from(x!.data as Float32Array)).toEqual([1, -2]);
  });

  it('ModelInferResponse: the frontend encodes a BYTES output to the hand-written bytes', () => {
    const res = inferResponse({ modelName: 'm', modelVersion: '1', id: '7', outputs: [{ name: 'y', dtype: 'BYTES', shape: [2], data: bytesFromStrings(['a', '']) }] });
    expect(toBinary(ModelInferResponseSchema, res)).toEqual(RESPONSE);
    const back = fromBinary(ModelInferResponseSchema, RESPONSE);
    expect(back.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([['y', 'BYTES', [2n]]]);
    expect(back.rawOutputContents).toHaveLength(1);
  });

  it('InferTensorContents: packed int32 (negative as 10-byte varint), float and bytes lists', () => {
    // int_contents (2, packed): [1, -1]; fp32_contents (6, packed): [1.0]; bytes_contents (8): ["ab"]
    const golden = Uint8Array.from([0x12, 0x0b, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x32, 0x04, 0x00, 0x00, 0x80, 0x3f, 0x42, 0x02, ...ascii('ab')]);
    const c = fromBinary(InferTensorContentsSchema, golden);
    expect(c.intContents).toEqual([1, -1]);
    expect(c.fp32Contents).toEqual([1]);
    expect(stringsFromBytes(c.bytesContents)).toEqual(['ab']);
    expect(toBinary(InferTensorContentsSchema, c)).toEqual(golden);
  });

  it('ModelStreamInferResponse, ModelConfigResponse (the imported ModelConfig) and HealthCheckResponse', () => {
    // error_message (1): "bad"; infer_response (2): { id (3): "7" }
    const stream = Uint8Array.from([0x0a, 0x03, ...ascii('bad'), 0x12, 0x03, 0x1a, 0x01, ...ascii('7')]);
    const s = create(ModelStreamInferResponseSchema, { errorMessage: 'bad', inferResponse: { id: '7' } });
    expect(toBinary(ModelStreamInferResponseSchema, s)).toEqual(stream);
    // config (1): ModelConfig { name (1): "m", max_batch_size (4): 8 }
    const config = Uint8Array.from([0x0a, 0x05, 0x0a, 0x01, ...ascii('m'), 0x20, 0x08]);
    const cr = fromBinary(ModelConfigResponseSchema, config);
    expect([cr.config?.name, cr.config?.maxBatchSize]).toEqual(['m', 8]);
    // status (1, enum varint): SERVING = 1
    expect(toBinary(HealthCheckResponseSchema, create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING }))).toEqual(Uint8Array.from([0x08, 0x01]));
  });
});

describe('a name given twice in one request', () => {
  const config = create(ModelConfigSchema, { name: 'm' });
  const input = { name: 'x', datatype: 'INT32', shape: [1n], contents: create(InferTensorContentsSchema, { intContents: [1] }) };

  it('is refused as Triton refuses it over HTTP: an input or a requested output listed twice', () => {
    const twiceIn = create(ModelInferRequestSchema, { modelName: 'm', id: 'r1', inputs: [input, input] });
    expect(() => readInferRequest(twiceIn, config)).toThrow(expect.objectContaining({ code: 'INVALID_ARG', message: "[request id: r1] input 'x' already exists in request" }));
    const twiceOut = create(ModelInferRequestSchema, { modelName: 'm', inputs: [input], outputs: [{ name: 'y' }, { name: 'y' }] });
    expect(() => readInferRequest(twiceOut, config)).toThrow(expect.objectContaining({ code: 'INVALID_ARG', message: "[request id: <id_unknown>] output 'y' already exists in request" }));
  });
});
