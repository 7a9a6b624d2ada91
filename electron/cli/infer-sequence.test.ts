/** The CLI's sequence flags: which inputs go to which request, the ids, and start/end per request. */
import { describe, expect, it } from 'vitest';
import { flagsFor, requestSpecs, sequenceOptions } from './infer-sequence';

describe('model-lab infer --sequence-id', () => {
  it('makes one request per occurrence of an input, an input given once going to every request', () => {
    expect(requestSpecs(['A=[1]', 'B=[9]', 'A=[2]', 'A=[3]'])).toEqual([
      ['A=[1]', 'B=[9]'],
      ['A=[2]', 'B=[9]'],
      ['A=[3]', 'B=[9]'],
    ]);
    expect(requestSpecs([])).toEqual([[]]);
    expect(() => requestSpecs(['A=[1]', 'A=[2]', 'A=[3]', 'B=[1]', 'B=[2]'])).toThrow("input 'B' is given 2 times; give each input once (the same in every request) or 3 times (one per request)");
  });

  it('reads digits as a uint64 id (exact past 2^53), anything else as a string id', () => {
    expect(sequenceOptions({ 'sequence-id': '18446744073709551615' })).toEqual({ id: 18446744073709551615n });
    expect(sequenceOptions({ 'sequence-id': 'user-7', 'sequence-start': true })).toEqual({ id: 'user-7', start: true, end: false });
    expect(sequenceOptions({})).toBeUndefined();
    expect(() => sequenceOptions({ 'sequence-id': '18446744073709551616' })).toThrow('is not an unsigned 64-bit integer');
    expect(() => sequenceOptions({ 'sequence-end': true })).toThrow('--sequence-start and --sequence-end need --sequence-id');
  });

  it('starts on the first request and ends on the last unless the flags are given', () => {
    const all = (o: Parameters<typeof flagsFor>[0], n: number) => Array.from({ length: n }, (_, k) => flagsFor(o, k, n)).map((f) => [f.start, f.end]);
    expect(all({ id: 1n }, 3)).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
    expect(all({ id: 1n }, 1)).toEqual([[true, true]]);
    expect(all({ id: 'x', start: true, end: false }, 2)).toEqual([
      [true, false],
      [false, false],
    ]);
    expect(all({ id: 1n, start: false, end: true }, 1)).toEqual([[false, true]]);
  });
});
