/**
 * The pb_utils API objects on their own: TritonError as Triton's Python API
 * reads it (error.message(), error.code()) and as JavaScript does, tensors
 * from the sources scripts use, responses pruned to the requested outputs,
 * and BLS errors that never throw.
 */
import { describe, expect, it } from 'vitest';
import { createPbUtils, InferenceResponse, Tensor, TritonError } from './pb-utils';

describe('TritonError', () => {
  it("message() and code() as in Triton's Python API; the message property still reads as text", () => {
    const e = new TritonError('bad input', TritonError.INVALID_ARG);
    const m = e.message as unknown as () => string;
    expect(m()).toBe('bad input');
    expect(`${e.message}`).toBe('bad input');
    expect('x: ' + e.message).toBe('x: bad input');
    expect(JSON.stringify({ m: e.message })).toBe('{"m":"bad input"}');
    expect(String(e)).toBe('TritonError: bad input');
    // String methods work on it, as on any error message.
    expect(e.message.includes('input')).toBe(true);
    expect(e.message.length).toBe(9);
    expect(e.message.toUpperCase()).toBe('BAD INPUT');
    expect(() => {
      throw e;
    }).toThrow('bad input');
    expect(e.messageText()).toBe('bad input');
    expect(e.code()).toBe(3);
    expect(e.toWire()).toEqual({ code: 'INVALID_ARG', message: 'bad input' });
    expect(e).toBeInstanceOf(Error);
  });

  it("codes have Triton's numbers; the default and unknown codes are INTERNAL", () => {
    expect([
      TritonError.UNKNOWN,
      TritonError.INTERNAL,
      TritonError.NOT_FOUND,
      TritonError.INVALID_ARG,
      TritonError.UNAVAILABLE,
      TritonError.UNSUPPORTED,
      TritonError.ALREADY_EXISTS,
      TritonError.CANCELLED,
    ]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new TritonError('x').code()).toBe(1);
    expect(new TritonError('x', 42).code()).toBe(1);
    expect(TritonError.fromWire({ code: 'UNAVAILABLE', message: 'm' }).code()).toBe(4);
  });
});

describe('Tensor', () => {
  it('infers the dtype from typed arrays, strings, booleans and bigints; plain numbers need one', () => {
    expect(new Tensor('a', new Float32Array(2)).dtype).toBe('FP32');
    expect(new Tensor('a', ['x', 'y']).dtype).toBe('BYTES');
    expect(new Tensor('a', [true, false]).data).toEqual(Uint8Array.from([1, 0]));
    expect(new Tensor('a', [1n, 2n]).dtype).toBe('INT64');
    expect(new Tensor('a', [1, 2], [2], 'INT32').data).toEqual(Int32Array.from([1, 2]));
    expect(new Tensor('h', new Uint16Array([0x3c00]), [1], 'FP16').numbers()).toEqual([1]);
    expect(() => new Tensor('a', [1, 2])).toThrow("tensor 'a': pass a dtype with plain number arrays (e.g. 'FP32')");
  });

  it('refuses a shape that does not fit the data', () => {
    expect(() => new Tensor('a', new Float32Array(3), [2, 2])).toThrow("tensor 'a': shape [2,2] needs 4 elements, the data has 3");
  });
});

describe('InferenceResponse', () => {
  it('keeps only the requested outputs on the way out; an error response carries no outputs', () => {
    const r = new InferenceResponse({ output_tensors: [new Tensor('A', new Float32Array(1)), new Tensor('B', new Float32Array(1))] });
    expect(r.toWire(['B'])).toMatchObject({ outputs: [{ name: 'B' }] });
    const e = new InferenceResponse({ error: new TritonError('no', TritonError.NOT_FOUND) });
    expect(e.has_error()).toBe(true);
    expect(e.toWire(['A'])).toEqual({ error: { code: 'NOT_FOUND', message: 'no' } });
  });

  it('keeps a parameter named __proto__ (JSON from a client) as a parameter', () => {
    const r = new InferenceResponse({ parameters: JSON.parse('{"__proto__": 1, "a": "x"}') as Record<string, number | string> });
    expect(r.parameters()).toBe('{"__proto__":1,"a":"x"}');
  });
});

describe('InferenceRequest.exec', () => {
  it('never throws: a transport failure comes back as an error response', async () => {
    const pb = createPbUtils({ call: () => Promise.reject(new Error('pipe broke')), log: () => undefined });
    const res = await new pb.InferenceRequest({ model_name: 'm', inputs: [] }).exec();
    expect(res.has_error()).toBe(true);
    expect((res.error()!.message as unknown as () => string)()).toBe('pipe broke');
  });
});
