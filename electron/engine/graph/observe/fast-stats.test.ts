/** The fast statistics agree with the viewers' reference, NaN and infinities counted apart, for every array kind. */
import { describe, expect, it } from 'vitest';
import { statsOf } from '../../runs/tensor-info';
import type { Tensor } from '../../tensor/tensor';
import { fastStats } from './fast-stats';

function same(t: Tensor): void {
  const fast = fastStats(t);
  const ref = statsOf(t);
  expect({ ...fast, mean: 0, std: 0 }).toEqual({ ...ref, mean: 0, std: 0 });
  expect(fast.mean).toBeCloseTo(ref.mean, 6);
  expect(fast.std).toBeCloseTo(ref.std, 6);
}

describe('fastStats', () => {
  it('matches statsOf on floats with NaN and infinities, offset values, integers and empty tensors', () => {
    same({ name: 'f', dtype: 'FP32', shape: [6], data: new Float32Array([1, Number.NaN, 3, Number.POSITIVE_INFINITY, -2, Number.NEGATIVE_INFINITY]) });
    // Large offset, small spread: shifted sums keep the spread.
    same({ name: 'o', dtype: 'FP64', shape: [4], data: new Float64Array([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]) });
    same({ name: 'i', dtype: 'INT32', shape: [2, 2], data: new Int32Array([-5, 7, 0, 2]) });
    same({ name: 'u', dtype: 'UINT8', shape: [3], data: new Uint8Array([0, 255, 9]) });
    same({ name: 'e', dtype: 'FP32', shape: [0], data: new Float32Array(0) });
    same({ name: 'n', dtype: 'FP32', shape: [2], data: new Float32Array([Number.NaN, Number.NaN]) });
    same({ name: 'l', dtype: 'INT64', shape: [2], data: new BigInt64Array([3n, -4n]) });
    expect(fastStats({ name: 'o', dtype: 'FP64', shape: [4], data: new Float64Array([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]) }).std).toBeCloseTo(Math.sqrt(1.25), 9);
  });
});
