/**
 * Heatmaps of any two axes (issue 14): an HWC image shown as H×W at one
 * channel instead of the W×C strip of its first row, and a legend that reads
 * the slice's real extremes rather than those of the averaged cells.
 */
import { describe, expect, it } from 'vitest';
import { createTensorHandlers } from '../handlers/tensor-handlers';
import type { Lab } from '../lab';
import type { Tensor } from '../tensor/tensor';
import { tensorHeatmap } from './tensor-access';

const f32 = (shape: number[], f: (i: number) => number): Tensor => {
  const n = shape.reduce((a, d) => a * d, 1);
  return { name: 't', dtype: 'FP32', shape, data: Float32Array.from({ length: n }, (_, i) => f(i)) };
};

describe('tensorHeatmap with chosen axes', () => {
  // [1, H=4, W=5, C=3]: element (y, x, c) holds 100*c + 10*y + x.
  const image = f32([1, 4, 5, 3], (i) => {
    const c = i % 3;
    const x = Math.floor(i / 3) % 5;
    const y = Math.floor(i / 15) % 4;
    return 100 * c + 10 * y + x;
  });

  it('shows rows and columns from the named axes, the other axes fixed', async () => {
    const h = await tensorHeatmap(image, [0, 2], 256, [1, 2]);
    expect([h.rows, h.cols, h.step]).toEqual([4, 5, [1, 1]]);
    // Channel 2: 200 + 10y + x over y < 4, x < 5.
    expect([h.min, h.max]).toEqual([200, 234]);
    const c0 = await tensorHeatmap(image, [0, 0], 256, [1, 2]);
    expect([c0.min, c0.max]).toEqual([0, 34]);
  });

  it('may transpose: columns before rows', async () => {
    const h = await tensorHeatmap(image, [0, 1], 256, [2, 1]);
    expect([h.rows, h.cols, h.min, h.max]).toEqual([5, 4, 100, 134]);
  });

  it('keeps the last two axes when none are named', async () => {
    const h = await tensorHeatmap(image, [0, 3], 256);
    // Row y=3: x × c.
    expect([h.rows, h.cols, h.min, h.max]).toEqual([5, 3, 30, 234]);
  });

  it('gives the real extremes of the slice when cells are averaged', async () => {
    const spike = f32([64, 64], (i) => (i === 65 ? 1000 : 0));
    const h = await tensorHeatmap(spike, [], 8);
    expect(h.step).toEqual([8, 8]);
    expect([h.min, h.max]).toEqual([0, 1000]);
  });

  it('refuses bad axes and indices with what to give', async () => {
    await expect(tensorHeatmap(image, [0, 0], 256, [1, 1])).rejects.toThrow("'axes' must name two different axes of 0..3");
    await expect(tensorHeatmap(image, [0, 0], 256, [1, 4])).rejects.toThrow("'axes' must name two different axes");
    await expect(tensorHeatmap(image, [0, 3], 256, [1, 2])).rejects.toThrow('give one index for each of axes 0, 3 (sizes 1, 3)');
    await expect(tensorHeatmap(image, [0], 256, [1, 2])).rejects.toThrow('give one index for each of axes 0, 3');
  });
});

describe('the tensorHeatmap handler', () => {
  const t = f32([1, 4, 5, 3], (i) => i);
  const handlers = createTensorHandlers({ tensor: () => t } as unknown as Lab);
  const ref = { runId: 'r', side: 'output', name: 't' };

  it('passes the axes on, and refuses a malformed pair', async () => {
    const h = await handlers.tensorHeatmap({ ...ref, fixed: [0, 1], axes: [1, 2] } as never);
    expect([h.rows, h.cols]).toEqual([4, 5]);
    await expect(handlers.tensorHeatmap({ ...ref, fixed: [0, 1], axes: [1] } as never)).rejects.toThrow("'axes' must be [rows axis, columns axis]");
    await expect(handlers.tensorHeatmap({ ...ref, fixed: [0, 1], axes: 'hw' } as never)).rejects.toThrow("'axes' must be [rows axis, columns axis]");
  });
});
