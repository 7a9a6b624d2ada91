/**
 * RapidJSON's reading of request JSON (kParseNanAndInfFlag): non-finite
 * numbers accepted, the first error reported in RapidJSON's words at its
 * byte offset, and all of it in linear time on large bodies.
 */
import { describe, expect, it } from 'vitest';
import { NON_FINITE_MARKERS, parseJsonBody } from './json-body';

const parse = (text: string): unknown => {
  const b = Buffer.from(text);
  return parseJsonBody(b, b.byteLength, 1 << 30);
};
const failure = (text: string): string => {
  try {
    parse(text);
  } catch (err) {
    return (err as Error).message.replace('failed to parse the request JSON buffer: ', '');
  }
  throw new Error('parsed');
};

describe('request JSON', () => {
  it('valid JSON parses as JSON.parse does', () => {
    expect(parse('{"a": [1, 2.5e3, "x", true, null]}')).toEqual({ a: [1, 2500, 'x', true, null] });
  });

  it('NaN, Infinity, Inf, -Infinity, -Inf and -NaN become markers; strings that look alike stay strings', () => {
    const v = parse('{"data": [NaN, Infinity, -Infinity, Inf, -Inf, -NaN, 1], "s": "NaN Infinity", "t": "\\u0000NaN"}') as { data: unknown[]; s: string };
    expect(v.data.map((x) => (typeof x === 'string' ? NON_FINITE_MARKERS[x] : x))).toEqual([NaN, Infinity, -Infinity, Infinity, -Infinity, NaN, 1]);
    expect(v.s).toBe('NaN Infinity');
  });

  it.each([
    ['', 'The document is empty. at 0'],
    ['   ', 'The document is empty. at 3'],
    ['{"a": 1} x', 'The document root must not be followed by other values. at 9'],
    ['[1, ]', 'Invalid value. at 4'],
    ['[1 2]', "Missing a comma or ']' after an array element. at 3"],
    ['{"a" 1}', 'Missing a colon after a name of object member. at 5'],
    ['{"a": 1 "b": 2}', "Missing a comma or '}' after an object member. at 8"],
    ['{1: 2}', 'Missing a name for object member. at 1'],
    ['{"a": 1,}', 'Missing a name for object member. at 8'],
    ['{"inputs": [', 'Invalid value. at 12'],
    ['["abc', 'Missing a closing quotation mark in string. at 5'],
    ['["a\\x"]', 'Invalid escape character in string. at 3'],
    ['["\\u12G4"]', 'Incorrect hex digit after \\u escape in string. at 2'],
    ['["\\ud800", x]', 'The surrogate pair in string is invalid. at 2'],
    ['["a\tb"]', 'Invalid encoding in string. at 3'],
    ['[1.]', 'Miss fraction part in number. at 3'],
    ['[1e]', 'Miss exponent in number. at 3'],
    ['[1e400, x]', 'Number too big to be stored in double. at 1'],
    ['[nul]', 'Invalid value. at 4'],
    ['[Infinit]', 'Invalid value. at 8'],
    ['[NaN, Nope]', 'Invalid value. at 7'],
    ['["é", x]', 'Invalid value. at 7'],
  ])('%j: %s', (text, message) => {
    expect(failure(text)).toBe(message);
  });

  it('is linear on large invalid bodies (tens of MB answered well within a bounded wait)', () => {
    const n = 10_000_000;
    const big = '{"data":[NaN' + ',1'.repeat(n) + ',]}';
    const started = Date.now();
    expect(failure(big)).toBe(`Invalid value. at ${big.length - 2}`);
    const deep = '['.repeat(5_000_000);
    expect(failure(deep)).toBe(`Invalid value. at ${deep.length}`);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('the size limit and a header length beyond the body', () => {
    const b = Buffer.from('{}');
    expect(() => parseJsonBody(b, 2, 1)).toThrow('request JSON size of 2 bytes exceeds the maximum allowed input size of 1 bytes. Use --http-max-input-size to increase the limit.');
    expect(() => parseJsonBody(b, 5, 10)).toThrow('unexpected size for request JSON, expecting 3 more bytes');
  });
});
