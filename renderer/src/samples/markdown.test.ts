import { describe, expect, it } from 'vitest';
import { inline, joinLines, parseMarkdown } from './markdown';

describe('README markdown', () => {
  it('joins wrapped lines with a space between words and none between Chinese characters', () => {
    expect(joinLines(['Reads the text', 'in an image'])).toBe('Reads the text in an image');
    expect(joinLines(['用 PaddleOCR v4 读出图像中的文字，由五个模型经一个集成模型串接而成：把 PNG 或', 'JPEG 文件的字节发给'])).toBe(
      '用 PaddleOCR v4 读出图像中的文字，由五个模型经一个集成模型串接而成：把 PNG 或 JPEG 文件的字节发给',
    );
    expect(joinLines(['每个脚本只从自己的版本文件夹导入几个小的辅助', '文件。'])).toBe('每个脚本只从自己的版本文件夹导入几个小的辅助文件。');
    expect(joinLines(['（低于 0.5）的行。', 'ONNX 文件，', 'JPEG'])).toBe('（低于 0.5）的行。ONNX 文件，JPEG');
  });

  it('reads code spans, bold and links as text parts, never as HTML', () => {
    expect(inline('send `input_image` to **the <b>ensemble</b>**, see [docs](https://x.test)')).toEqual([
      { kind: 'text', text: 'send ' },
      { kind: 'code', text: 'input_image' },
      { kind: 'text', text: ' to ' },
      { kind: 'strong', text: 'the <b>ensemble</b>' },
      { kind: 'text', text: ', see docs' },
    ]);
    expect(inline('`**not bold**`')).toEqual([{ kind: 'code', text: '**not bold**' }]);
  });

  it('reads headings, paragraphs, lists with wrapped items, fenced code and tables', () => {
    const md = [
      '# 快速部署',
      '',
      '第一段，',
      '接着写。',
      '',
      '- **根据中间结果做决定。** 大部分文字',
      '  上下颠倒时……',
      '- 第二项',
      '',
      '```',
      'a ─► b',
      '   └─ c',
      '```',
      '',
      '| folder | what |',
      '|---|---|',
      '| `ocr_bls/` | BLS |',
    ].join('\n');
    expect(parseMarkdown(md)).toEqual([
      { kind: 'heading', level: 1, inline: [{ kind: 'text', text: '快速部署' }] },
      { kind: 'para', inline: [{ kind: 'text', text: '第一段，接着写。' }] },
      {
        kind: 'list',
        ordered: false,
        items: [
          [
            { kind: 'strong', text: '根据中间结果做决定。' },
            { kind: 'text', text: ' 大部分文字上下颠倒时……' },
          ],
          [{ kind: 'text', text: '第二项' }],
        ],
      },
      { kind: 'code', text: 'a ─► b\n   └─ c' },
      {
        kind: 'table',
        head: [[{ kind: 'text', text: 'folder' }], [{ kind: 'text', text: 'what' }]],
        rows: [[[{ kind: 'code', text: 'ocr_bls/' }], [{ kind: 'text', text: 'BLS' }]]],
      },
    ]);
  });

  it('ends an unclosed code fence at the end of the file and survives odd input', () => {
    expect(parseMarkdown('```\nno end')).toEqual([{ kind: 'code', text: 'no end' }]);
    expect(parseMarkdown('')).toEqual([]);
    expect(parseMarkdown('|only a pipe')).toEqual([{ kind: 'para', inline: [{ kind: 'text', text: '|only a pipe' }] }]);
    expect(parseMarkdown('1. one\n2) two')).toEqual([{ kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two' }]] }]);
  });
});
