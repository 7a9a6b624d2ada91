import { describe, expect, it } from 'vitest';
import { highlight, highlightLine } from './pbtxt-highlight';

describe('pbtxt highlighting', () => {
  it('tells keys, strings, numbers, enums and comments apart', () => {
    const kinds = (line: string) =>
      highlightLine(line)
        .filter((t) => t.kind !== 'text')
        .map((t) => [t.kind, t.text]);
    expect(kinds('name: "det" # the model')).toEqual([
      ['key', 'name'],
      ['punct', ':'],
      ['string', '"det"'],
      ['comment', '# the model'],
    ]);
    expect(kinds('data_type: TYPE_FP32')).toEqual([
      ['key', 'data_type'],
      ['punct', ':'],
      ['enum', 'TYPE_FP32'],
    ]);
    expect(kinds('dims: [ -1, 3 ]').filter(([k]) => k === 'number')).toEqual([
      ['number', '-1'],
      ['number', '3'],
    ]);
    expect(kinds('input [')).toEqual([
      ['key', 'input'],
      ['punct', '['],
    ]);
  });

  it('keeps every character, whatever the input', () => {
    const junk = 'a\u0000b "unterminated \\" ~~ ∑ 中文 0x1F 1e9f';
    expect(
      highlightLine(junk)
        .map((t) => t.text)
        .join(''),
    ).toBe(junk);
    expect(highlight('a\nb\r\nc')).toHaveLength(3);
  });
});
