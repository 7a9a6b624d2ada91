import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff';

const render = (before: string, after: string): string =>
  lineDiff(before, after)
    .map((l) => ({ same: ' ', add: '+', del: '-' })[l.kind] + l.text)
    .join('\n');

describe('line diff', () => {
  it('keeps common lines and marks the rest', () => {
    expect(render('name: "e"\nstep {}\n', 'name: "e"\nplatform: "ensemble"\nstep {}\n')).toBe(' name: "e"\n+platform: "ensemble"\n step {}');
    expect(render('a\nb\nc', 'a\nc')).toBe(' a\n-b\n c');
    expect(render('a\nx', 'a\ny')).toBe(' a\n-x\n+y');
  });

  it('handles empty sides', () => {
    expect(render('', 'a\nb')).toBe('+a\n+b');
    expect(render('a', '')).toBe('-a');
    expect(lineDiff('', '')).toEqual([]);
  });
});
