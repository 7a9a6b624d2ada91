import { describe, expect, it } from 'vitest';
import { highlightCode, languageOf, tokenize, type CodeToken } from './code-highlight';

const kinds = (tokens: CodeToken[]) => tokens.filter((t) => t.text.trim()).map((t) => `${t.kind}:${t.text}`);

describe('languageOf', () => {
  it('knows JS/TS and Python by extension, nothing else', () => {
    expect(['model.js', 'a/b.MJS', 'x.ts', 'x.tsx', 'model.py', 'stub.pyi'].map(languageOf)).toEqual(['js', 'js', 'js', 'js', 'python', 'python']);
    expect(languageOf('config.pbtxt')).toBeUndefined();
    expect(languageOf('README')).toBeUndefined();
  });
});

describe('tokenize JavaScript/TypeScript', () => {
  it('keywords, literals, calls, strings, numbers and comments', () => {
    const src = "export default class M {\n  execute(requests) { // run\n    const n = 0x1f + 2.5e3; return requests.map((r) => 'a\\'b' + `t${n}`) ?? null; }\n}";
    expect(kinds(tokenize(src, 'js'))).toEqual([
      'keyword:export',
      'keyword:default',
      'keyword:class',
      'text:M',
      'punct:{',
      'function:execute',
      'punct:(',
      'text:requests',
      'punct:)',
      'punct:{',
      'comment:// run',
      'keyword:const',
      'text:n',
      'punct:=',
      'number:0x1f',
      'punct:+',
      'number:2.5e3',
      'punct:;',
      'keyword:return',
      'text:requests',
      'punct:.',
      'function:map',
      'punct:(',
      'punct:(',
      'text:r',
      'punct:)',
      'punct:=',
      'punct:>',
      "string:'a\\'b'",
      'punct:+',
      'string:`t${n}`',
      'punct:)',
      'punct:?',
      'punct:?',
      'literal:null',
      'punct:;',
      'punct:}',
      'punct:}',
    ]);
  });

  it('block comments and template literals carry over lines', () => {
    const { lines } = highlightCode('/* one\ntwo */ x = `a\nb`;', 'js');
    expect(lines.map((l) => kinds(l))).toEqual([['comment:/* one'], ['comment:two */', 'text:x', 'punct:=', 'string:`a'], ['string:b`', 'punct:;']]);
  });

  it('an unterminated string spoils only its line', () => {
    const { lines } = highlightCode("const s = 'oops\nconst t = 1;", 'js');
    expect(kinds(lines[1]!)).toEqual(['keyword:const', 'text:t', 'punct:=', 'number:1', 'punct:;']);
  });
});

describe('tokenize Python', () => {
  it('def, decorators, self, f-strings, triple quotes and comments', () => {
    const src = '@staticmethod\ndef auto_complete_config(cfg):  # hook\n    """Doc\n    string."""\n    return f"{cfg}" if self is not None else 1j';
    const { lines } = highlightCode(src, 'python');
    expect(lines.map((l) => kinds(l))).toEqual([
      ['decorator:@staticmethod'],
      ['keyword:def', 'function:auto_complete_config', 'punct:(', 'text:cfg', 'punct:)', 'punct::', 'comment:# hook'],
      ['string:"""Doc'],
      ['string:    string."""'],
      ['keyword:return', 'string:f"{cfg}"', 'keyword:if', 'literal:self', 'keyword:is', 'keyword:not', 'literal:None', 'keyword:else', 'number:1j'],
    ]);
  });

  it('@ between operands is an operator, not a decorator', () => {
    expect(kinds(tokenize('y = a @ b', 'python'))).toEqual(['text:y', 'punct:=', 'text:a', 'punct:@', 'text:b']);
  });
});

describe('highlightCode', () => {
  it('gives back the text exactly, line for line, whatever it is fed', () => {
    const nasty = ['', '\n\n', "'", '"""', '/*', '`${', '\r\n\tx\r\n', '@', '0x', '1e', 'é漢字 🙂', String.fromCharCode(0, 1, 2)];
    for (const lang of ['js', 'python'] as const) {
      for (const text of nasty) {
        const { lines } = highlightCode(text, lang);
        expect(lines.map((l) => l.map((t) => t.text).join('')).join('\n')).toBe(text.replace(/\r\n/g, '\n'));
      }
    }
  });

  it('colours a big file only up to the bound, whole lines, and shows the rest plain', () => {
    const line = 'x = "s"  # c\n';
    const text = line.repeat(100);
    const out = highlightCode(text, 'python', 10 * line.length + 3);
    expect(out.colouredLines).toBe(10);
    expect(out.lines).toHaveLength(101);
    expect(kinds(out.lines[9]!)).toEqual(['text:x', 'punct:=', 'string:"s"', 'comment:# c']);
    expect(out.lines[10]).toEqual([{ text: 'x = "s"  # c', kind: 'text' }]);
    expect(out.lines.map((l) => l.map((t) => t.text).join('')).join('\n')).toBe(text);
  });
});
