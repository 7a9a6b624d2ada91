/**
 * Integers of request JSON that a double cannot hold (beyond 2^53) kept exact, as RapidJSON keeps
 * int64/uint64 (http_server.cc ReadDataFromJson, IndexAsInt/IndexAsUInt): INT64/UINT64 data,
 * narrowing into smaller types as C casts do, and the element-count checks of an input's shape
 * (common.cc GetElementCount) with the shape printed exactly.
 */
import { describe, expect, it } from 'vitest';
import { parseJsonBody } from './json-body';
import { readInferRequest } from './infer-request';

const limits = { maxInputBytes: 1 << 20 };
const read = (input: string) => readInferRequest(Buffer.from(`{"inputs":[${input}]}`), undefined, 'm', limits).request.inputs[0]!;
const fail = (input: string): { code: string; message: string } => {
  try {
    read(input);
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('read');
};

describe('the exact-integer parse of request JSON', () => {
  it('turns integers beyond 2^53 inside arrays into bigints, leaves the rest as JSON.parse does', () => {
    const b = Buffer.from('{"data":[9007199254740993, 1, -9223372036854775808, 1.5, [18446744073709551615]], "n": 12345678901234567890, "s": "12345678901234567890"}');
    const v = parseJsonBody(b, b.byteLength, 1 << 20, { exactIntegers: true }) as { data: unknown[]; n: unknown; s: unknown };
    expect(v.data).toEqual([9007199254740993n, 1, -9223372036854775808n, 1.5, [18446744073709551615n]]);
    // Outside arrays (request parameters) values stay numbers; sequence_id has its own exact reader.
    expect(typeof v.n).toBe('number');
    expect(v.s).toBe('12345678901234567890');
    // Without the option nothing changes for other endpoints.
    expect((parseJsonBody(b, b.byteLength, 1 << 20) as { data: unknown[] }).data[0]).toBe(9007199254740992);
  });

  it('strings (escaped quotes included), fractions, exponents and object members stay as JSON.parse reads them', () => {
    const b = Buffer.from('{"data":["x\\",12345678901234567890", 12345678901234567.5, 1234567890123456789e2, {"k": 12345678901234567890}, [ -12345678901234567 ]]}');
    const v = parseJsonBody(b, b.byteLength, 1 << 20, { exactIntegers: true }) as { data: unknown[] };
    expect(v.data[0]).toBe('x",12345678901234567890');
    expect(typeof v.data[1]).toBe('number');
    expect(typeof v.data[2]).toBe('number');
    expect(typeof (v.data[3] as { k: unknown }).k).toBe('number');
    expect(v.data[4]).toEqual([-12345678901234567n]);
  });

  it('a body whose 16-digit runs are none to keep (in strings, within 2^53) parses as JSON.parse does', () => {
    const text = '{"id":"12345678901234567890","data":["98765432109876543210", 9007199254740991, -9007199254740991]}';
    const b = Buffer.from(text);
    expect(parseJsonBody(b, b.byteLength, 1 << 20, { exactIntegers: true })).toEqual(JSON.parse(text));
  });

  it('a string that looks like the marker stays a string', () => {
    const b = Buffer.from('{"data":["\\u0000#9007199254740993", 9007199254740993]}');
    expect((parseJsonBody(b, b.byteLength, 1 << 20, { exactIntegers: true }) as { data: unknown[] }).data).toEqual(['\u0000#9007199254740993', 9007199254740993n]);
  });

  it("a body that is not JSON still gets RapidJSON's error at its offset", () => {
    const b = Buffer.from('{"data":[9007199254740993 9007199254740993]}');
    expect(() => parseJsonBody(b, b.byteLength, 1 << 20, { exactIntegers: true })).toThrow("failed to parse the request JSON buffer: Missing a comma or ']' after an array element. at 26");
  });

  it('also alongside NaN and Infinity (the slow path)', () => {
    const b = Buffer.from('{"data":[NaN, 9223372036854775807]}');
    const v = parseJsonBody(b, b.byteLength, 1 << 20, { exactIntegers: true }) as { data: unknown[] };
    expect(v.data[1]).toBe(9223372036854775807n);
  });
});

describe('INT64 / UINT64 JSON data', () => {
  it('keeps every digit of values beyond 2^53, both ends of the ranges included', () => {
    const i = read('{"name":"x","datatype":"INT64","shape":[4],"data":[9007199254740993,-9007199254740993,9223372036854775807,-9223372036854775808]}');
    expect([...(i.data as BigInt64Array)]).toEqual([9007199254740993n, -9007199254740993n, 9223372036854775807n, -9223372036854775808n]);
    const u = read('{"name":"x","datatype":"UINT64","shape":[2,1],"data":[[18446744073709551615],[9007199254740993]]}');
    expect([...(u.data as BigUint64Array)]).toEqual([18446744073709551615n, 9007199254740993n]);
  });

  it("refuses what RapidJSON does not hold as int64 / uint64, in Triton's words", () => {
    expect(fail('{"name":"x","datatype":"INT64","shape":[1],"data":[9223372036854775808]}')).toEqual({
      code: 'INTERNAL',
      message: "Unable to parse 'data': attempt to access JSON non-signed-integer as signed-integer",
    });
    expect(fail('{"name":"x","datatype":"UINT64","shape":[1],"data":[18446744073709551616]}')).toEqual({
      code: 'INTERNAL',
      message: "Unable to parse 'data': attempt to access JSON non-unsigned-integer as unsigned-integer",
    });
    expect(fail('{"name":"x","datatype":"UINT64","shape":[1],"data":[-9007199254740993]}').message).toBe("Unable to parse 'data': attempt to access JSON non-unsigned-integer as unsigned-integer");
  });

  it('narrows large values into smaller integer types as a C cast does, and rounds them into floats', () => {
    const i = read('{"name":"x","datatype":"INT32","shape":[2],"data":[4294967298, -9223372036854775807]}');
    expect([...(i.data as Int32Array)]).toEqual([2, 1]);
    const u = read('{"name":"x","datatype":"UINT8","shape":[1],"data":[18446744073709551615]}');
    expect([...(u.data as Uint8Array)]).toEqual([255]);
    const f = read('{"name":"x","datatype":"FP64","shape":[1],"data":[9007199254740993]}');
    expect([...(f.data as Float64Array)]).toEqual([9007199254740992]);
  });
});

describe('the element count of an input shape', () => {
  it('overflowing int64 is refused with the exact shape (not 2^53, not rounded)', () => {
    expect(fail('{"name":"x","datatype":"INT8","shape":[4294967296,4294967296],"data":[1]}')).toEqual({
      code: 'INVALID_ARG',
      message: "invalid shape for input 'x': shape [4294967296,4294967296] causes total element count to exceed maximum size of 9223372036854775807",
    });
    expect(fail('{"name":"x","datatype":"INT8","shape":[3,3074457345618258603],"data":[1]}').message).toBe(
      "invalid shape for input 'x': shape [3,3074457345618258603] causes total element count to exceed maximum size of 9223372036854775807",
    );
  });

  it('a count beyond 2^53 that fits int64 is no overflow: the byte size decides, exactly', () => {
    // 2^62 INT8 elements: no overflow, far beyond --http-max-input-size.
    expect(fail('{"name":"x","datatype":"INT8","shape":[2147483648,2147483648],"data":[1]}')).toEqual({
      code: 'INVALID_ARG',
      message: "JSON input 'x' has a byte_size (4611686018427387904 bytes) that exceeds the maximum allowed value of 1048576 bytes. Use --http-max-input-size to increase the limit.",
    });
    // 2^62 FP32 elements: the byte size itself overflows.
    expect(fail('{"name":"x","datatype":"FP32","shape":[2147483648,2147483648],"data":[1]}')).toEqual({
      code: 'INVALID_ARG',
      message: "byte size overflow for input 'x': element count (4611686018427387904) * data type size (4) exceeds maximum allowed size (9223372036854775807)",
    });
  });

  it('a dimension beyond int64 reads as negative: "contains one or more invalid dimensions", printed as Triton prints it', () => {
    expect(fail('{"name":"x","datatype":"INT8","shape":[2,9223372036854775808],"data":[1]}')).toEqual({
      code: 'INVALID_ARG',
      message: "invalid shape for input 'x': shape [2,-9223372036854775808] contains one or more invalid dimensions",
    });
  });
});
