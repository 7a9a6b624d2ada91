/**
 * Triton's ReshapeTensorDims: how a tensor's shape changes between a batching
 * and a non-batching side of an ensemble, and when it is left alone.
 */
import { describe, expect, it } from 'vitest';
import { reshapeTensorDims } from './ensemble-runner';

describe('reshapeTensorDims(configDims, allowBatching, tensorBatchSize, dims)', () => {
  it('both sides batch: unchanged, even when the shapes disagree', () => {
    expect(reshapeTensorDims([3], true, 2, [2, 3])).toEqual([2, 3]);
    expect(reshapeTensorDims([3], true, 2, [2, 4])).toEqual([2, 4]);
  });

  it('neither side batches: unchanged', () => {
    expect(reshapeTensorDims([3], false, 0, [3])).toEqual([3]);
    expect(reshapeTensorDims([3], false, 0, [1, 3])).toEqual([1, 3]);
  });

  it('the consumer batches, the tensor does not: [1] prepended when the dims match the config', () => {
    expect(reshapeTensorDims([3], true, 0, [3])).toEqual([1, 3]);
    expect(reshapeTensorDims([-1, 2], true, 0, [5, 2])).toEqual([1, 5, 2]);
    // Not matching: taken to carry its batch dimension already.
    expect(reshapeTensorDims([3], true, 0, [4, 3])).toEqual([4, 3]);
  });

  it('the consumer does not batch, the tensor does: the batch dimension stripped only for a batch of 1 that does not fit', () => {
    expect(reshapeTensorDims([3], false, 1, [1, 3])).toEqual([3]);
    // Fits the config as it is: passed whole.
    expect(reshapeTensorDims([-1, 3], false, 2, [2, 3])).toEqual([2, 3]);
    expect(reshapeTensorDims([-1, 3], false, 1, [1, 3])).toEqual([1, 3]);
    // Does not fit, but a batch of 2 is never stripped (the member's own checks refuse it).
    expect(reshapeTensorDims([3], false, 2, [2, 3])).toEqual([2, 3]);
  });
});
