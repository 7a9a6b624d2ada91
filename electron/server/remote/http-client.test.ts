/**
 * The HTTP inference body compared with what tritonclient.http builds for the same tensors
 * (InferenceServerClient.generate_request_body, recorded): the same JSON header and the same bytes
 * after it; and answers from a server that does not follow its own header refused.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../engine/errors';
import { bytesFromStrings, makeTensor } from '../../engine/tensor/tensor';
import { encodeInferBody } from './http-client';
import { decodeInferBody } from './infer-body';

const fp32 = makeTensor('INPUT0', 'FP32', [3], new Float32Array([1.5, -2, 3.25]));
const bytes = makeTensor('INPUT1', 'BYTES', [2], bytesFromStrings(['ab', '']));

describe('encodeInferBody', () => {
  it('matches tritonclient.http with all outputs as binary data', () => {
    const { body, headerLength } = encodeInferBody({ id: 'r7', inputs: [fp32, bytes] });
    // Byte for byte, as generate_request_body printed it (tritonclient 2.x).
    expect(body.subarray(0, headerLength).toString()).toBe(
      '{"id":"r7","inputs":[{"name":"INPUT0","shape":[3],"datatype":"FP32","parameters":{"binary_data_size":12}},{"name":"INPUT1","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":10}}],"parameters":{"binary_data_output":true}}',
    );
    expect(body.subarray(headerLength).toString('hex')).toBe('0000c03f000000c00000504002000000616200000000');
  });

  it('matches tritonclient.http with requested outputs', () => {
    const { body, headerLength } = encodeInferBody({ inputs: [fp32], outputs: ['OUTPUT1'] });
    expect(body.subarray(0, headerLength).toString()).toBe(
      '{"inputs":[{"name":"INPUT0","shape":[3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"outputs":[{"name":"OUTPUT1","parameters":{"binary_data":true}}]}',
    );
  });

  it("matches tritonclient.http with a sequence's parameters", () => {
    const { body, headerLength } = encodeInferBody({ inputs: [fp32], parameters: { sequence_id: 42, sequence_start: true, sequence_end: false } });
    expect(body.subarray(0, headerLength).toString()).toBe(
      '{"inputs":[{"name":"INPUT0","shape":[3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"parameters":{"sequence_id":42,"sequence_start":true,"sequence_end":false,"binary_data_output":true}}',
    );
  });
});

describe('decodeInferBody', () => {
  const answer = (head: unknown, tail: Buffer): { body: Buffer; len: string } => {
    const json = Buffer.from(JSON.stringify(head));
    return { body: Buffer.concat([json, tail]), len: String(json.byteLength) };
  };
  const refused = (head: unknown, tail: Buffer, len?: string): string => {
    const a = answer(head, tail);
    try {
      decodeInferBody('http://h:8000', a.body, len ?? a.len);
    } catch (err) {
      expect((err as LabError).reason).toBe('REMOTE_PROTOCOL');
      return (err as LabError).message;
    }
    return 'accepted';
  };
  const out = (size: number, shape = [2], datatype = 'FP32') => ({ outputs: [{ name: 'O', datatype, shape, parameters: { binary_data_size: size } }] });

  it('reads binary and JSON outputs, unaligned bytes included', () => {
    const a = answer({ model_version: '3', outputs: [{ name: 'J', datatype: 'INT64', shape: [2], data: [1, -2] }, ...out(8).outputs] }, Buffer.from(new Float32Array([1, 2]).buffer));
    const r = decodeInferBody('http://h:8000', a.body, a.len);
    expect(r.modelVersion).toBe('3');
    expect(Array.from(r.outputs[0]!.data as BigInt64Array)).toEqual([1n, -2n]);
    expect(Array.from(r.outputs[1]!.data as Float32Array)).toEqual([1, 2]);
  });

  it('refuses sizes that do not add up, shapes that do not fit and unknown datatypes', () => {
    expect(refused(out(8), Buffer.alloc(4))).toMatch(/says 8 bytes but the answer ends sooner/);
    expect(refused(out(4, [1]), Buffer.alloc(8))).toMatch(/4 bytes after the last output/);
    expect(refused(out(4, [1000000]), Buffer.alloc(4))).toMatch(/does not match its shape/);
    expect(refused(out(4, [1], 'FP8'), Buffer.alloc(4))).toMatch(/unknown datatype/);
    expect(refused(out(4, [-1]), Buffer.alloc(4))).toMatch(/no valid shape/);
    expect(refused(out(8), Buffer.alloc(8), '99999')).toMatch(/Inference-Header-Content-Length does not fit/);
    expect(refused({ outputs: [{ name: 'O', datatype: 'FP32', shape: [3], data: [1] }] }, Buffer.alloc(0))).toMatch(/1 values for shape \[3\]/);
    expect(refused(out(6, [2], 'BYTES'), Buffer.from([9, 0, 0, 0, 1, 2]))).toMatch(/does not match its shape/);
  });
});
