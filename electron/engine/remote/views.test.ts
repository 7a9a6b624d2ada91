import { describe, expect, it } from 'vitest';
import { remoteSummaries } from './views';

describe('remoteSummaries', () => {
  it('summarizes a huge index of one model in linear time (a hostile server may list 100k versions)', () => {
    const index = Array.from({ length: 100_000 }, (_, i) => ({ name: 'm', version: String(i + 1), state: i === 0 ? 'READY' : 'UNAVAILABLE', reason: '' }));
    index.push({ name: 'a', version: '1', state: 'READY', reason: '' });
    const t = Date.now();
    const summaries = remoteSummaries(index);
    expect(Date.now() - t).toBeLessThan(3000);
    expect(summaries.map((s) => [s.name, s.state, s.versions.length])).toEqual([
      ['a', 'READY', 1],
      ['m', 'READY', 100_000],
    ]);
  });
});
