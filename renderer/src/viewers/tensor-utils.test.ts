import { describe, expect, it } from 'vitest';
import { boxKind, guessKind, scaleIfNormalized, toPolygons } from './boxes';
import { formatBytes, formatFloat, formatValue, isListLike, pixelRanges, sliceBase, strides, unravel } from './tensor-utils';

describe('index arithmetic', () => {
  it('computes row-major strides, slice bases and multi-indices', () => {
    expect(strides([2, 3, 4, 5])).toEqual([60, 20, 5, 1]);
    expect(sliceBase([2, 3, 4, 5], [1, 2])).toBe(100);
    expect(sliceBase([4, 5], [])).toBe(0);
    expect(unravel(119, [2, 3, 4, 5])).toEqual([1, 2, 3, 4]);
    expect(unravel(0, [])).toEqual([]);
  });

  it('treats tensors with one long axis as lists', () => {
    expect(isListLike([1000])).toBe(true);
    expect(isListLike([1, 1000])).toBe(true);
    expect(isListLike([])).toBe(true);
    expect(isListLike([2, 3])).toBe(false);
  });

  it('finds the elements of a pixel in each layout', () => {
    expect(pixelRanges({ layout: 'HWC', batch: 1, height: 3, width: 4, channels: 3 }, 2, 1)).toEqual([{ offset: 18, count: 3 }]);
    expect(pixelRanges({ layout: 'CHW', batch: 1, height: 4, width: 3, channels: 3 }, 2, 1)).toEqual([
      { offset: 5, count: 1 },
      { offset: 17, count: 1 },
      { offset: 29, count: 1 },
    ]);
    expect(pixelRanges({ layout: 'NHWC', batch: 2, height: 2, width: 2, channels: 3 }, 1, 0, 1)).toEqual([{ offset: 15, count: 3 }]);
    expect(pixelRanges({ layout: 'NCHW', batch: 2, height: 2, width: 2, channels: 3 }, 1, 1, 1).map((r) => r.offset)).toEqual([15, 19, 23]);
    expect(pixelRanges({ layout: 'NHW', batch: 3, height: 2, width: 5, channels: 1 }, 4, 1, 2)).toEqual([{ offset: 29, count: 1 }]);
    expect(pixelRanges({ layout: 'HW', batch: 1, height: 2, width: 5, channels: 1 }, 4, 1, 7)).toEqual([{ offset: 9, count: 1 }]);
  });
});

describe('formatting', () => {
  it('shows floats with up to 6 significant digits and integers as they are', () => {
    expect(formatFloat(3.14159265)).toBe('3.14159');
    expect(formatFloat(2)).toBe('2');
    expect(formatFloat(123456.78)).toBe('123457');
    expect(formatFloat(12345678)).toBe('1.23457e+7');
    expect(formatFloat(0.0000123)).toBe('1.23e-5');
    expect(formatValue(0.1 + 0.2, 'FP32').text).toBe('0.3');
    expect(formatValue(123456789, 'INT32').text).toBe('123456789');
    expect(formatValue('9007199254740993', 'INT64').text).toBe('9007199254740993');
  });

  it('shows NaN and Inf as such, however they arrive', () => {
    expect(formatValue(Number.NaN, 'FP32')).toEqual({ text: 'NaN', kind: 'nonfinite' });
    expect(formatValue(-Infinity, 'FP32')).toEqual({ text: '-Inf', kind: 'nonfinite' });
    expect(formatValue('Infinity', 'FP16')).toEqual({ text: 'Inf', kind: 'nonfinite' });
    expect(formatValue('nan', 'FP64')).toEqual({ text: 'NaN', kind: 'nonfinite' });
    expect(formatValue(null, 'FP32')).toEqual({ text: 'NaN', kind: 'nonfinite' });
    expect(formatValue(null, 'INT8').kind).toBe('missing');
  });

  it('sizes bytes', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(602112)).toBe('588 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MiB');
  });
});

describe('boxes', () => {
  it('reads [N, 4, 2] corner points and [N, 4] rectangles', () => {
    expect(boxKind([3, 4, 2])).toEqual({ kind: 'quad' });
    expect(boxKind([1, 3, 4, 2])).toEqual({ kind: 'quad', perBatch: 24 });
    expect(boxKind([5, 4])).toEqual({ kind: 'rect' });
    expect(boxKind([2, 5, 4])).toEqual({ kind: 'rect', perBatch: 20 });
    expect(boxKind([5, 3])).toBeUndefined();
    expect(toPolygons([1, 2, 9, 2, 9, 8, 1, 8], 'quad')).toEqual([
      [
        [1, 2],
        [9, 2],
        [9, 8],
        [1, 8],
      ],
    ]);
    expect(toPolygons([1, 2, 9, 8], 'rect')).toEqual([
      [
        [1, 2],
        [9, 2],
        [9, 8],
        [1, 8],
      ],
    ]);
  });

  it('guesses the kind when the shape is unknown, and scales normalized boxes', () => {
    expect(guessKind([1, 2, 9, 2, 9, 8, 1, 8])).toBe('quad');
    expect(guessKind([1, 2, 9, 8, 3, 3, 5, 6])).toBe('rect');
    expect(guessKind([1, 2, 9, 8])).toBe('rect');
    expect(scaleIfNormalized([[[0.5, 0.25]]], 100, 40)).toEqual([[[50, 10]]]);
    expect(scaleIfNormalized([[[5, 2]]], 100, 40)).toEqual([[[5, 2]]]);
  });
});
