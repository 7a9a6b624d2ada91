/** Plain values to typed data: every bad value is reported (bounded), one bad value reads as it always did. */
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { fill } from './values';

function failure(f: () => unknown): LabError {
  try {
    f();
  } catch (err) {
    if (err instanceof LabError) return err;
    throw err;
  }
  throw new Error('expected a LabError');
}

describe('fill', () => {
  it('fills typed data from numbers, booleans and number strings', () => {
    expect(Array.from(fill('FP32', [1, '2.5', true, 'NaN']) as Float32Array)).toEqual([1, 2.5, 1, Number.NaN]);
    expect(Array.from(fill('INT64', ['9007199254740993', 2]) as BigInt64Array)).toEqual([9007199254740993n, 2n]);
  });

  it('names a single bad value as before', () => {
    const e = failure(() => fill('FP32', [1, 'x', 3]));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe("'x' is not a number");
  });

  it('lists every bad value with its position, the first twenty and then a count', () => {
    expect(failure(() => fill('FP32', ['a', 2, 'b'])).message).toBe("2 values are not FP32 values: value 1: 'a' is not a number; value 3: 'b' is not a number");
    expect(failure(() => fill('INT32', [1, 'one', 3, 'three'])).message).toBe("2 values are not INT32 values: value 2: 'one' is not a number; value 4: 'three' is not a number");
    expect(failure(() => fill('INT64', ['x', 'y'])).message).toBe("2 values are not INT64 values: value 1: 'x' is not a INT64 value; value 2: 'y' is not a INT64 value");
    const many = failure(() =>
      fill(
        'FP32',
        Array.from({ length: 30 }, () => 'z'),
      ),
    );
    expect(many.message.startsWith('30 values are not FP32 values: value 1:')).toBe(true);
    expect(many.message).toContain('value 20:');
    expect(many.message).not.toContain('value 21:');
    expect(many.message.endsWith('; and 10 more')).toBe(true);
  });
});
