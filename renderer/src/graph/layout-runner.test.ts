import { describe, expect, it } from 'vitest';
import { LayoutCancelled, startLayout } from './layout-runner';

const input = { sizes: [40, 20, 40, 20], edges: [0, 1] };

describe('layout runner (inline where there is no worker)', () => {
  it('resolves with the layout of the pure function', async () => {
    const r = await startLayout(input).result;
    expect(r.rank).toEqual([0, 1]);
    expect(r.points[0]).toHaveLength(4);
  });

  it('rejects a cancelled job with LayoutCancelled', async () => {
    const job = startLayout(input);
    job.cancel();
    await expect(job.result).rejects.toBeInstanceOf(LayoutCancelled);
  });
});
