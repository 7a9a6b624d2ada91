/** Model output becomes bounded log lines: a huge line without a newline never fills memory. */
import { describe, expect, it } from 'vitest';
import { MAX_LOG_LINE, clipLine, lineSplitter } from './log-lines';

describe('lineSplitter', () => {
  it('passes complete lines, holds a partial one, and joins UTF-8 split across chunks', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('héllo\nwor', 'utf8');
    s.push(bytes.subarray(0, 2));
    expect(lines).toEqual([]);
    s.push(bytes.subarray(2));
    expect(lines).toEqual(['héllo']);
    s.push(Buffer.from('ld\r\n\n  \nlast'));
    expect(lines).toEqual(['héllo', 'world']);
    s.flush();
    expect(lines).toEqual(['héllo', 'world', 'last']);
  });

  it('a 64 MiB line without a newline is held as one cut line, never in full', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 1024; i++) s.push(chunk);
    // What the splitter holds while it waits for the newline stays at the cap.
    expect(lines).toEqual([]);
    s.push(Buffer.from('\nnext\n'));
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBeLessThan(MAX_LOG_LINE + 100);
    expect(lines[0]).toMatch(new RegExp(`^x{${MAX_LOG_LINE}} … \\(${64 * 1024 * 1024 - MAX_LOG_LINE} more characters not kept\\)$`));
    expect(lines[1]).toBe('next');
  });

  it('clipLine cuts one long message', () => {
    expect(clipLine('short')).toBe('short');
    expect(clipLine('y'.repeat(MAX_LOG_LINE + 5))).toBe(`${'y'.repeat(MAX_LOG_LINE)} … (5 more characters not kept)`);
  });
});
