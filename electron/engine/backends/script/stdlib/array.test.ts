import { describe, expect, it } from 'vitest';
import { argmax, max, mean, min, softmax, strides } from './array';

describe('lab.array', () => {
  it('argmax returns the first largest index, relative to start', () => {
    expect(argmax([1, 5, 3, 5])).toBe(1);
    expect(argmax(new Float32Array([0.1, 0.2, 0.9, 0.3, 0.8, 0.05]), 3, 3)).toBe(1);
    expect(argmax([-3, -1, -2])).toBe(1);
    expect(argmax([])).toBe(-1);
    expect(argmax([1, 2], 5)).toBe(-1);
  });

  it('max, min and mean', () => {
    const d = new Float64Array([2, -4, 7.5, 0]);
    expect(max(d)).toBe(7.5);
    expect(min(d)).toBe(-4);
    expect(mean(d)).toBeCloseTo(1.375, 12);
    expect(max([])).toBe(-Infinity);
    expect(Number.isNaN(mean([]))).toBe(true);
  });

  it('softmax sums to one and survives large logits', () => {
    const p = softmax([1, 2, 3]);
    expect(p[0]).toBeCloseTo(0.09003057, 6);
    expect(p[1]).toBeCloseTo(0.24472847, 6);
    expect(p[2]).toBeCloseTo(0.66524096, 6);
    const big = softmax([1000, 1000]);
    expect([...big]).toEqual([0.5, 0.5]);
  });

  it('strides are row-major', () => {
    expect(strides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(strides([5])).toEqual([1]);
    expect(strides([])).toEqual([]);
  });
});
