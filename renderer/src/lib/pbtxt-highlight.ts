/**
 * Splits config.pbtxt text into coloured tokens per line, for display only
 * (parsing happens in the engine). Never throws, whatever the text.
 */
export type TokenKind = 'comment' | 'string' | 'number' | 'enum' | 'bool' | 'key' | 'punct' | 'text';

export interface HlToken {
  text: string;
  kind: TokenKind;
}

const RULES: [TokenKind, RegExp][] = [
  ['comment', /^#.*/],
  ['string', /^"(?:[^"\\\n]|\\.)*"?|^'(?:[^'\\\n]|\\.)*'?/],
  ['number', /^-?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?[fF]?|\.\d+(?:[eE][+-]?\d+)?[fF]?)/],
  ['punct', /^[{}[\]<>:,;]/],
  ['text', /^\s+/],
];

const IDENT = /^-?[A-Za-z_][A-Za-z0-9_]*/;

export function highlightLine(line: string): HlToken[] {
  const out: HlToken[] = [];
  let rest = line;
  while (rest.length > 0) {
    let matched = false;
    for (const [kind, re] of RULES) {
      const m = re.exec(rest);
      if (m && m[0].length > 0) {
        out.push({ text: m[0], kind });
        rest = rest.slice(m[0].length);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const id = IDENT.exec(rest);
    if (id) {
      const word = id[0];
      const after = rest.slice(word.length).trimStart();
      let kind: TokenKind = 'text';
      if (after.startsWith(':') || after.startsWith('{') || after.startsWith('[') || after.startsWith('<')) kind = 'key';
      else if (/^(true|false|True|False)$/.test(word)) kind = 'bool';
      else if (/^[A-Z][A-Z0-9_]+$/.test(word)) kind = 'enum';
      out.push({ text: word, kind });
      rest = rest.slice(word.length);
      continue;
    }
    out.push({ text: rest[0]!, kind: 'text' });
    rest = rest.slice(1);
  }
  return out;
}

export function highlight(text: string): HlToken[][] {
  return text.split(/\r?\n/).map(highlightLine);
}
